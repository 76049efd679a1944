"""The distilled token table: WordPiece ids, mean vectors, and the per-token scores the model folds in."""
import numpy as np

from okr_core.blockers import detect, miner_version
from okr_core.blockers.grouping_embedded import meaning_vectors
from okr_core.blockers.learned import TOKEN_SCORES_PATH, load_model
from okr_core.blockers.tokens import embed, token_ids, token_vectors, tokenizer


def test_text_becomes_wordpiece_ids_of_the_shipped_vocabulary():
    ids = token_ids("Waiting on the **vendor** keys: https://github.com/acme/app/issues/12")
    vocabulary = {index: token for token, index in tokenizer().ids.items()}
    words = [vocabulary[i] for i in ids]
    assert words[:4] == ["waiting", "on", "the", "vendor"]
    assert "*" not in words and "https" not in words      # markup dropped, the link shortened
    assert token_ids("") == []


def test_every_token_has_a_vector_and_a_blocker_score_and_one_per_kind():
    table = token_vectors()
    assert table.shape[0] == len(tokenizer().ids) and table.dtype == np.float32
    assert TOKEN_SCORES_PATH.stat().st_size == table.shape[0] * (1 + 5) * 4


def test_mean_vectors_are_unit_length_and_empty_texts_are_zero():
    vectors = embed([token_ids("The staging server is down"), []])
    assert abs(float(np.linalg.norm(vectors[0])) - 1.0) < 1e-5
    assert not vectors[1].any()


def test_the_same_blocker_in_other_words_is_closer_than_an_unrelated_one():
    store, same, other = meaning_vectors([
        "Our release is stuck in the app store review queue.",
        "Still waiting for the store to approve the listing of the app.",
        "The build server ran out of disk space overnight.",
        "Thanks, merged.",
    ])[:3]
    assert float(store @ same) > float(store @ other)


def test_the_model_uses_the_token_scores_and_says_its_version():
    model = load_model()
    assert model.uses_tokens and miner_version() == model.version == "5.0"
    finding = detect("We are blocked until the vendor sends the signing keys.")
    assert finding is not None and finding.is_blocker
