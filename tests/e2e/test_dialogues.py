"""The dialogue suite: every dialogue of tests/dialogues/*.yml, written the way people type on
WhatsApp, through the real Rasa and action servers, one test per dialogue (id "file:name").

The YAML format (each file's header repeats it; details in tests/support/dialogues.py)::

    - name: graduation read from one sentence with a hedge
      as: pendamping            # a fresh user of this role is registered for this dialogue
      households: [{name: Rini Kusuma, village: sukamaju}]   # registered to that user
      turns:
        - say: "cek graduasi bu rini, pendapatannya skrg 2,8 juta sebulan"
          expect: {requested_slot: grad_mindset, slots: {grad_income: 2800000}}
        - say: "udah sih, skrg lebih rajin nabung"
      expect:
        decisions:              # exactly these, each a subset of a stored decision
          - kind: graduation
            input: {income_monthly: 2800000, mindset_changed: true}
            output: {graduated: true}
        assessments: 1          # also conflicts, safeguarding_reports, tasks

``as:`` is pendamping, pejabat_desa (with ``village:``), pelatih, admin or stranger (an
unregistered id). A turn's ``expect`` checks the conversation afterwards through Rasa's HTTP
API (``active_loop``, ``requested_slot``, ``not_requested``, ``slots``), what is stored so
far (``stored``) and facts the replies must (``mentions``) or must not (``omits``) contain.
The dialogue's ``expect`` is what its turns stored for its user (decisions, assessments,
conflicts, safeguarding reports; not what its set-up stored) and the user's open tasks.

Every turn also keeps the turn invariants (1 to 3 messages, none empty or repeated, HTTP 200
within 30 s, no exception text, the sender's number never repeated back), and while it runs
the servers' logs gain no Traceback, "failed for one conversation", "Circuit breaker
tripped" or "turn guard:" line (a turn the guard had to repair is a failure of its cause).

Failing dialogues stay in the suite: they are the list of what still needs fixing."""

from __future__ import annotations

import pytest

from tests.e2e import servers as real
from tests.e2e.conftest import seed as e2e_seed
from tests.support.dialogues import ensure_world, load_all, run_dialogue

pytestmark = pytest.mark.e2e

DIALOGUES = load_all()


def seed(db_path):
    """The e2e seed (admin, sukamaju, mekarsari, two facilitators' households, a trainer, an
    official) and the villages and households the dialogues rely on."""
    e2e_seed(db_path)
    ensure_world(db_path)


@pytest.fixture(scope="module")
def dialogue_servers(tmp_path_factory):
    """Servers of the suite's own: its logs are read per dialogue, and what its many users
    leave behind (trainers' practice households, reports) reaches no other test."""
    running = real.start(tmp_path_factory.mktemp("dialogues"), seed=seed)
    yield running
    running.stop()


@pytest.mark.parametrize("dialogue", DIALOGUES, ids=[d.id for d in DIALOGUES])
def test_dialogue(dialogue_servers, dialogue):
    transcript = run_dialogue(dialogue_servers, dialogue)
    if transcript.failures:
        pytest.fail(transcript.report(), pytrace=False)
