"""Email through the admin's SMTP server (stdlib smtplib): multipart HTML and plain text, with
a List-Unsubscribe header (RFC 2369) and one-click unsubscribe (RFC 8058).

SMTP servers usually sit inside the company network, so the outbound URL policy for trackers
(public https only) does not apply to them; only an admin can set the server.
"""
from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from config.notification_settings import SmtpSettings
from sync.notify.content import Message
from sync.notify.errors import PermanentSendFailure, TransientSendFailure

TIMEOUT_SECONDS = 15


def build_email(smtp: SmtpSettings, to_name: str, to_address: str, message: Message,
                unsubscribe_url: str | None) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = smtp.mail_from
    mail["To"] = formataddr((to_name, to_address))
    mail["Message-ID"] = make_msgid(domain=smtp.mail_from.rpartition("@")[2] or None)
    if unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    if smtp.tls == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS,
                                context=ssl.create_default_context())
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS)
    if smtp.tls == "starttls":
        client.starttls(context=ssl.create_default_context())
    return client


def send_email(smtp: SmtpSettings, mail: EmailMessage) -> None:
    """Hand one message to the server; SendFailed with a message fit for the admin pages."""
    if not smtp.configured:
        raise PermanentSendFailure("Email is not set up: give the SMTP server and From address in /admin.")
    where = f"{smtp.host}:{smtp.port}"
    try:
        with _connect(smtp) as client:
            if smtp.username:
                client.login(smtp.username, smtp.password)
            refused = client.send_message(mail)
    except smtplib.SMTPAuthenticationError:
        raise PermanentSendFailure(f"The SMTP server {where} refused the user name or password.") from None
    except smtplib.SMTPNotSupportedError:
        raise PermanentSendFailure(f"The SMTP server {where} does not offer STARTTLS or login: "
                                   "check the TLS mode.") from None
    except smtplib.SMTPRecipientsRefused:
        raise PermanentSendFailure(f"The SMTP server {where} refused the recipient address.") from None
    except smtplib.SMTPSenderRefused:
        raise PermanentSendFailure(f"The SMTP server {where} refused the From address.") from None
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise TransientSendFailure(f"The SMTP server {where} asked to try later ({exc.smtp_code}).") from None
        raise PermanentSendFailure(f"The SMTP server {where} refused the message ({exc.smtp_code}).") from None
    except ssl.SSLError:
        raise PermanentSendFailure(f"TLS with {where} failed: check the TLS mode and port.") from None
    except (OSError, smtplib.SMTPException) as exc:
        reason = "timed out" if isinstance(exc, (socket.timeout, TimeoutError)) else "could not be reached"
        raise TransientSendFailure(f"The SMTP server {where} {reason}.") from None
    if refused:
        raise PermanentSendFailure(f"The SMTP server {where} refused the recipient address.")
