"""A real SMTP server for the suite (aiosmtpd on a free local port) that keeps what it receives."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Mailbox:
    """What the server received, in order; ``refuse`` makes it answer every message with a 554."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = False
        #: Answer this many messages with a temporary 451 before accepting.
        self.temporary_failures = 0
        self.attempts = 0
        #: Seconds to take over each message (a slow server, so that concurrent senders overlap).
        self.delay = 0.0
        #: Seconds to hold each recipient before answering it (a sender stuck before its message).
        self.recipient_delay = 0.0
        self.recipients_seen = 0
        self._lock = threading.Lock()
        self.host = "127.0.0.1"
        self.port = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.recipients_seen += 1
        if self.recipient_delay:
            await asyncio.sleep(self.recipient_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return "554 Transaction failed"
        if self.temporary_failures > 0:
            self.temporary_failures -= 1
            return "451 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until ``count`` messages have arrived (some are delivered on a thread)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} emails, received {len(self.messages)}")

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
        self.refuse, self.temporary_failures, self.attempts, self.delay = False, 0, 0, 0.0
        self.recipient_delay, self.recipients_seen = 0.0, 0


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "no plain-text part"
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "no HTML part"
    return str(part.get_content())


def link_in(message: EmailMessage) -> str:
    match = re.search(r"https?://\S+", text_of(message))
    assert match, "no link in the email"
    return match.group(0)


@contextmanager
def running_smtp_server() -> Iterator[Mailbox]:
    """Start the server on a free port of 127.0.0.1; stopped when the block ends."""
    mailbox = Mailbox()
    mailbox.port = _free_port()
    controller = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
