"""Random concurrent editing by several simulated clients converges, keeping every insert."""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sync import utf16_len

from .sim import Network

ASTRAL = ["😀", "😃", "🇫🇷", "𝐀", "👩\u200d💻"]
FILLER = ["a", "b", " ", "\n", "\r\n", "\r", "你", "好", "é", "e\u0301", "😀", "😃", "𝐀", "%", "#", "+", ";", "~"]
MARKER = re.compile(r"\[c\d+\.\d+[^\[\]]*\]")
N_CLIENTS = 3
START = "Dear all,\nWe 😀 ask for a safer street.\r\nThanks 你好\n"

# One step: (kind, client, a, b, payload index)
step = st.tuples(
    st.sampled_from(["marker", "filler", "delete", "send", "up", "up_ack_first", "down", "down", "down", "reconnect"]),
    st.integers(0, N_CLIENTS - 1),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
)


class Scenario:
    def __init__(self, use_patches: bool, use_views: bool = False) -> None:
        self.net = Network(START, N_CLIENTS, use_patches=use_patches, use_views=use_views)
        self.created: list[str] = []
        self.deleted: set[str] = set()
        self.counter = 0

    @staticmethod
    def _outside_markers(text: str, index: int) -> int:
        for m in MARKER.finditer(text):
            if m.start() < index < m.end():
                return m.start()
        return index

    @staticmethod
    def _units(text: str, index: int) -> int:
        return utf16_len(text[:index])

    def run(self, kind: str, i: int, a: int, b: int, c: int) -> None:
        net = self.net
        client = net.peers[i].client
        text = client.text
        if kind == "marker":
            self.counter += 1
            marker = f"[c{i}.{self.counter}{ASTRAL[c % len(ASTRAL)]}]"
            at = self._outside_markers(text, a % (len(text) + 1))
            client.insert(self._units(text, at), marker)
            self.created.append(marker)
        elif kind == "filler":
            filler = "".join(FILLER[(c >> (3 * k)) % len(FILLER)] for k in range(1 + b % 4))
            at = self._outside_markers(text, a % (len(text) + 1))
            client.insert(self._units(text, at), filler)
        elif kind == "delete":
            if not text:
                return
            start = self._outside_markers(text, a % len(text))
            end = min(len(text), start + 1 + b % 12)
            for m in MARKER.finditer(text):
                if m.start() < end < m.end():
                    end = m.end()
            gone = text[start:end]
            self.deleted.update(MARKER.findall(gone))
            client.delete(self._units(text, start), utf16_len(gone))
        elif kind == "send":
            net.send(i)
        elif kind in ("up", "up_ack_first"):
            net.deliver_up(i, ack_first=kind == "up_ack_first")
        elif kind == "down":
            net.deliver_down(i)
        elif kind == "reconnect":
            net.reconnect(i, lose_outbox=bool(c % 2))

    def check(self) -> None:
        net = self.net
        net.flush()
        final = net.server.newest
        assert not net.errors
        for peer in net.peers:
            assert peer.client.text == final
            assert peer.client.shadow_text == final
            assert peer.client.revision == net.server.revision
            assert peer.client.mismatches == 0
        assert "\r" not in final
        for marker in self.created:
            expected = 0 if marker in self.deleted else 1
            assert final.count(marker) == expected, (marker, final)
        # Replaying the stored patches from the start gives the same text.
        from app.sync import apply_patch_exact

        text = net.server.revisions[0].text
        for rev in net.server.revisions[1:]:
            text = apply_patch_exact(text, rev.patch)
            assert text == rev.text
        assert text == final


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=10, max_size=120))
def test_concurrent_clients_converge_and_keep_every_insert(steps):
    scenario = Scenario(use_patches=True)
    for s in steps:
        scenario.run(*s)
    scenario.check()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=10, max_size=120))
def test_clients_converge_with_the_in_memory_merge(steps):
    """The same, with the server merging as its group commit does (merge_into_view)."""
    scenario = Scenario(use_patches=True, use_views=True)
    for s in steps:
        scenario.run(*s)
    scenario.check()


KINDS = ["marker", "filler", "delete", "send", "up", "up_ack_first", "down", "down", "down", "reconnect"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32))
def test_long_sessions_converge(seed):
    """Longer sessions (hundreds of steps, bursts of local edits) than the shrinkable test."""
    rnd = random.Random(seed)
    scenario = Scenario(use_patches=True)
    for _ in range(400):
        kind = rnd.choice(KINDS[:3] * 2 + KINDS) if rnd.random() < 0.3 else rnd.choice(KINDS)
        if kind == "reconnect" and rnd.random() < 0.7:
            kind = "down"
        scenario.run(kind, rnd.randrange(N_CLIENTS), rnd.randrange(10**6), rnd.randrange(10**6), rnd.randrange(10**6))
    scenario.check()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=10, max_size=80))
def test_converges_with_texts_only(steps):
    """merge_edit given later texts instead of patches still converges (no marker claims)."""
    scenario = Scenario(use_patches=False)
    for s in steps:
        scenario.run(*s)
    net = scenario.net
    net.flush()
    final = net.server.newest
    for peer in net.peers:
        assert peer.client.text == final
        assert peer.client.revision == net.server.revision


texts = st.lists(st.sampled_from(FILLER + ASTRAL + ["x", "y", "[", "]"]), max_size=8).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, N_CLIENTS - 1), st.integers(0, 10**6), texts, st.integers(0, 9)),
        min_size=10,
        max_size=80,
    )
)
def test_diff_based_local_edits_converge(edits):
    """Clients that report whole new texts (as a textarea does) converge too."""
    net = Network(START, N_CLIENTS)
    for i, pos, insert, action in edits:
        client = net.peers[i].client
        text = client.text
        at = pos % (len(text) + 1)
        if action < 4:
            client.edit(text[:at] + insert + text[at + len(insert) // 2 :])
        elif action < 6:
            net.send(i)
        elif action < 8:
            net.deliver_up(i)
        else:
            net.deliver_down(i)
    net.flush()
    final = net.server.newest
    assert "\r" not in final
    for peer in net.peers:
        assert peer.client.text == final
        assert peer.client.mismatches == 0
