"""Words close in meaning, from the real embedder: the thresholds the checks use separate the measured pairs."""

import pytest

from rag.cite import SAME_THING, cite
from rag.extract import SIMILAR, coverage
from rag.settings import Settings
from tests.conftest import passage


@pytest.fixture(scope="module")
def similar():
    from rag.embed import OpenVINOEmbedder
    from rag.wordsim import WordSimilarity

    return WordSimilarity(OpenVINOEmbedder("all-MiniLM-L6-v2", Settings().cache_dir))


def test_close_words_pass_the_thresholds_and_others_do_not(similar):
    same, close, apart = similar.best(["houses", "blaze", "drones"], ["homes"])[0], \
        similar.best(["blaze"], ["fire"])[0], similar.best(["drones"], ["containers"])[0]
    assert same >= SAME_THING and close >= SIMILAR and apart < SIMILAR
    assert similar.best(["insured"], ["destroyed", "saved"])[0] < SIMILAR
    assert similar.best(["x"], []) == [0.0] and similar.best([], ["x"]) == []


def test_a_paraphrased_question_is_still_addressed(similar):
    question = "What do investigators think ignited the blaze?"
    text = "Investigators said the fire was likely started by sparks from a utility crew's equipment."
    assert coverage(question, text) < 0.5 <= coverage(question, text, similar)
    hits = [passage("f.txt", text + "\n")]
    reply = "Investigators said the fire was likely started by sparks from a utility crew's equipment [1]."
    assert cite(reply, hits, 0.5, question).refused
    assert not cite(reply, hits, 0.5, question, similar=similar).refused


def test_a_count_in_other_words_must_be_the_same_count(similar):
    hits = [passage("h.txt", "Damage teams found 19 destroyed structures, among them nine homes.\n")]
    question = "How many houses were destroyed?"
    assert cite("Nine houses were destroyed [1].", hits, 0.5, question).refused
    assert not cite("Nine houses were destroyed [1].", hits, 0.5, question, similar=similar).refused
    # "six houses" beside "12 structures" gives no count of 12 homes
    other = [passage("e.txt", "Crews saved most homes, but at least 12 structures, including six houses, burned.\n")]
    assert cite("12 homes were insured [1].", other, 0.5, "How many homes were insured?", similar=similar).refused


def test_a_who_question_in_another_verb_is_answered_and_noise_is_not_a_verb(similar):
    # the cosines the README quotes for the "who VERB" check: "depicted" passes for "portrayed";
    # "removed" and "in", the closest words beside Austin's quote for "replaced", do not
    assert similar.best(["portrayed"], ["depicted"])[0] >= SIMILAR
    assert similar.best(["replaced"], ["removed", "in", "announced"])[0] < SIMILAR
    hits = [passage("s.txt", "State media depicted Kim's trip as one of comradely fellowship.\n")]
    question = "Who portrayed Kim's trip as fostering fellowship?"
    reply = "State media depicted Kim's trip as one of comradely fellowship [1]."
    assert cite(reply, hits, 0.5, question).refused  # without close words the verb is not there
    assert not cite(reply, hits, 0.5, question, similar=similar).refused


def test_a_count_the_claim_gives_in_other_words_answers(similar):
    # "stores" for "shops" (0.84), "employees" for "staff" (two nouns of people, 0.72); "37 reports
    # of kettles" counts reports, and "students" are not "voters"
    hits = [passage("m.txt", "Marlow's has 87 stores and about 6,500 employees. It received 37 reports of kettles.\n")]
    assert not cite("Marlow's operates 87 stores [1].", hits, 0.5, "How many shops does Marlow's operate?",
                    similar=similar).refused
    assert not cite("Marlow's has about 6,500 employees [1].", hits, 0.5, "How many staff does Marlow's employ?",
                    similar=similar).refused
    assert cite("Marlow's received 37 reports of kettles [1].", hits, 0.5, "How many kettles did Marlow's sell?",
                similar=similar).refused
    voters = [passage("v.txt", "The union has 6,500 students as members.\n")]
    assert cite("The union has 6,500 students [1].", voters, 0.5, "How many voters does the union have?",
                similar=similar).refused


def test_homes_counted_as_households_answer_how_many_homes(similar):
    # "households" for "homes" (0.70, two nouns of dwellings; vennport v01), not "12 structures"
    hits = [passage("w.txt", "About 140,000 households in Vennport were told to boil their tap water.\n")]
    question = "How many homes were told to boil their water?"
    assert cite("140,000 homes were told to boil their tap water [1].", hits, 0.5, question).refused
    assert not cite("140,000 homes were told to boil their tap water [1].", hits, 0.5, question,
                    similar=similar).refused
    built = [passage("k.txt", "The fire destroyed 12 structures near the ridge.\n")]
    assert cite("The fire destroyed 12 homes [1].", built, 0.5, "How many homes did the fire destroy?",
                similar=similar).refused


def test_only_a_word_root_needs_sharing_with_the_question(similar):
    # "saving" is close enough to "saved" for what the claim is about; its last check, a word
    # shared with the question, compares roots (oldhaven o18)
    hits = [passage("b.txt", "The final bill for the repair was 11.2 million pounds, below the first estimate. "
                         "Ruth Okafor said the saving would go towards resurfacing roads in Hatherby.\n")]
    answer = cite("The saving would go towards resurfacing roads in Hatherby [1].", hits, 0.5,
                  "What will the money saved on the repair be used for?", similar=similar)
    assert not answer.refused and "resurfacing" in answer.answer
