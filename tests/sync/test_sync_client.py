"""The simulated client state machine."""

from __future__ import annotations

import pytest

from app.sync import make_patch, merge_edit
from tests.support.sync_client import RevisionGap, SyncClient

from .sim import Network


def test_local_edit_becomes_one_edit_in_flight():
    client = SyncClient(3, "Hello world", client_id="me")
    client.edit("Hello brave world")
    edit = client.take_edit()
    assert edit is not None
    assert edit.edit_id == "me-1" and edit.base_revision == 3
    assert merge_edit("Hello world", edit.patch).text == "Hello brave world"
    client.edit("Hello brave new world")
    assert client.take_edit() is None  # one edit in flight at a time
    client.receive_revision(4, edit.patch, edit.edit_id)
    assert client.shadow_text == "Hello brave world"
    assert client.text == "Hello brave new world"
    nxt = client.take_edit()
    assert nxt is not None and nxt.base_revision == 4
    assert merge_edit(client.shadow_text, nxt.patch).text == "Hello brave new world"


def test_remote_revision_rebases_local_changes():
    client = SyncClient(0, "a😀b")
    client.edit("a😃b!")
    remote = make_patch("a😀b", "🇫🇷 a😀b")
    client.receive_revision(1, remote, "someone-else")
    assert client.shadow_text == "🇫🇷 a😀b"
    assert client.text == "🇫🇷 a😃b!"


def test_same_position_inserts_from_two_clients_do_not_interleave():
    net = Network("Names: .", 2)
    a, b = net.peers[0].client, net.peers[1].client
    a.insert(7, "Alice")
    b.insert(7, "Bob")
    net.send(0)
    net.send(1)
    net.deliver_up(1)  # Bob's edit is committed first
    net.deliver_up(0)
    net.flush()
    assert net.server.newest == "Names: BobAlice."
    assert a.text == b.text == net.server.newest


def test_deletion_does_not_remove_a_concurrent_insert():
    net = Network("one [two three] four", 2)
    a, b = net.peers[0].client, net.peers[1].client
    a.delete(4, 11)  # "[two three]"
    b.insert(9, "😀NEW")  # between "two" and " three"
    net.send(0)
    net.send(1)
    net.deliver_up(0)
    net.deliver_up(1)
    net.flush()
    assert net.server.newest == "one 😀NEW four"
    assert a.text == b.text == net.server.newest


def test_ack_before_revision_and_noop_edits():
    net = Network("abc DEL def", 2)
    a, b = net.peers[0].client, net.peers[1].client
    a.delete(4, 4)
    b.delete(4, 4)
    net.send(0)
    net.send(1)
    net.deliver_up(0, ack_first=True)
    net.deliver_up(1)  # deletes what is already deleted: no revision, ack names revision 1
    assert net.server.revision == 1
    net.flush()
    assert a.text == b.text == "abc def"
    assert a.settled and b.settled


def test_revisions_out_of_order_raise_and_old_ones_are_ignored():
    client = SyncClient(0, "abc")
    p1 = make_patch("abc", "abcd")
    p2 = make_patch("abcd", "abcde")
    with pytest.raises(RevisionGap):
        client.receive_revision(2, p2)
    client.receive_revision(1, p1)
    client.receive_revision(1, p1)  # duplicate: ignored
    client.receive_revision(2, p2)
    assert client.text == "abcde" and client.revision == 2


def test_conflict_puts_the_change_back_and_other_errors_drop_it():
    client = SyncClient(0, "abc")
    client.edit("abcX")
    edit = client.take_edit()
    client.edit("abcXY")
    client.receive_error(edit.edit_id, "conflict")
    assert client.in_flight is None and client.text == "abcXY"
    again = client.take_edit()
    assert merge_edit("abc", again.patch).text == "abcXY"
    client.receive_error(again.edit_id, "too_large")
    assert client.text == "abc" and client.settled


def test_crlf_typed_locally_is_normalised():
    client = SyncClient(0, "a\r\nb")
    assert client.text == "a\nb"
    assert client.shadow_text == "a\r\nb"  # the shadow stays the server's exact text
    fix = client.take_edit()
    assert merge_edit("a\r\nb", fix.patch).text == "a\nb"
    client.receive_revision(1, fix.patch, fix.edit_id)
    assert client.shadow_text == "a\nb" and client.settled
    client.edit("a\r\nb\r\nc")
    assert client.text == "a\nb\nc"
    client.insert(0, "x\ry")
    assert client.text == "x\nya\nb\nc"
