from rag.followup import accept, needs_rewrite, standalone_question
from tests.conftest import FakeGenerator


def test_standalone_questions_pass_through():
    assert standalone_question("Where is the depot?", [], FakeGenerator("x")) == "Where is the depot?"
    assert standalone_question("Where did the containers arrive?", ["Who is Kirby?"], None) == \
        "Where did the containers arrive?"


def test_dependent_question_is_rewritten_by_the_model():
    gen = FakeGenerator("unused", rewrite="How far is the depot near Tikhoretsk from the border?")
    got = standalone_question("How far is it from the border?", ["Where is the depot?"], gen)
    assert got == "How far is the depot near Tikhoretsk from the border?"


def test_bad_rewrite_falls_back_to_context():
    gen = FakeGenerator("unused", rewrite="Paris is lovely in spring and so on")
    got = standalone_question("How far is it from the border?", ["Where is the depot?"], gen)
    assert got == "How far is it from the border? (Where is the depot?)"
    assert standalone_question("And there?", ["Where is the depot?"], None) == "And there? (Where is the depot?)"


def test_detection_and_acceptance():
    assert needs_rewrite("What about the ship?", ["q"]) and needs_rewrite("Why?", ["q"])
    assert not needs_rewrite("How far is the depot from the border?", ["q"])
    assert not accept("", "How far?") and not accept("line one\nline two", "How far is it?")
