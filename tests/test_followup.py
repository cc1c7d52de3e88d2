"""Follow-up resolution: connectors, topic switches, ellipsis, model rewrites and the no-nesting fallback."""

from rag.followup import accept, dependent, ellipsis, resolve, topic
from rag.schema import Turn
from tests.conftest import FakeGenerator

CONTAINERS = Turn("And how many containers were sent?", "How many containers did North Korea send to Russia?",
                  "North Korea sent over 1,000 containers [1].")
SHELLS = Turn("How many artillery shells does Ukraine fire a day?", "How many artillery shells does Ukraine fire a day?",
              "Ukraine fires about 8,000 shells a day [1].")


def test_standalone_questions_and_topic_switches_pass_through():
    assert resolve("Where is the depot?", [], FakeGenerator("x")) == "Where is the depot?"
    assert resolve("Where did the containers arrive?", [SHELLS], None) == "Where did the containers arrive?"
    # a connector is dropped; a question complete without it is a new topic, not mixed with the last one
    assert resolve("And how many containers were sent?", [SHELLS], None) == "How many containers were sent?"
    assert resolve("Switching topics: how much did Biden ask for?", [SHELLS], None) == "How much did Biden ask for?"


def test_ellipsis_replaces_the_last_name_of_the_previous_question():
    assert resolve("And Russia?", [SHELLS], None) == "How many artillery shells does Russia fire a day?"
    assert resolve("What about Russia?", [SHELLS], None) == "How many artillery shells does Russia fire a day?"
    assert ellipsis("And what happened?", SHELLS) is None  # a question of its own, not a name
    assert ellipsis("And Russia?", Turn("how many?", "how many shells?", "")) is None  # no name to replace


def test_dependent_question_is_rewritten_by_the_model():
    gen = FakeGenerator("unused", rewrite="Where were the containers shipped from?")
    got = resolve("Where were they shipped from?", [CONTAINERS], gen)
    assert got == "Where were the containers shipped from?"


def test_rewrite_bringing_words_from_nowhere_falls_back_to_substitution():
    gen = FakeGenerator("unused", rewrite="Where were the bananas shipped from in Paris?")
    got = resolve("Where were they shipped from?", [CONTAINERS], gen)
    assert got == "Where were the containers shipped from?"
    assert resolve("Where were they shipped from?", [CONTAINERS], None, method="substitute") == got
    assert resolve("Where were they shipped from?", [CONTAINERS], None, method="terms") == \
        "Where were they shipped from? (containers North Korea send Russia)"


def test_substitution_of_people_things_and_named_phrases():
    austin = Turn("Who announced the extra $200 million?", "Who announced the extra $200 million?",
                  "U.S. Defense Secretary Lloyd Austin announced it [1].")
    assert resolve("Where did he announce it?", [austin], None, "substitute") == \
        "Where did U.S. Defense Secretary Lloyd Austin announce the extra $200 million?"
    images = Turn("q", "Which think tank looked at the satellite images of the arms shipments?", "CSIS did [1].")
    assert resolve("Who posted about those images?", [images], None, "substitute") == \
        "Who posted about the satellite images of the arms shipments?"
    kim = Turn("q", "How many days did Kim Jong Un's visit to Russia last?", "Six days [1].")
    assert resolve("What did he call for afterwards?", [kim], None, "substitute") == \
        "What did Kim Jong Un call for afterwards?"
    # nothing for "it" to stand for and no terms to add: asked as it is
    assert resolve("Why is it late?", [Turn("q", "Who?", "")], None, "substitute") == "Why is it late?"


def test_no_nesting_over_many_turns():
    history = [CONTAINERS]
    asked = ["Where were they shipped from?", "When did they leave?", "Who saw them?"]
    resolved = []
    for q in asked:
        r = resolve(q, history, None)
        assert r.count("(") <= 1 and not any(prev in r for prev in resolved)
        resolved.append(r)
        history.append(Turn(q, r, ""))
    assert "(" not in topic(history[-1]) and len(topic(history[-1]).split()) <= 5  # no parentheses carried on


def test_detection_and_acceptance():
    assert dependent("How far is it from the border?") and dependent("Why?")
    assert not dependent("How far is the depot from the border?")
    last = CONTAINERS
    assert not accept("", "Where were they shipped from?", last)
    assert not accept("line one\nline two", "Where were they shipped from?", last)
    assert not accept("Where were they shipped from? How many?", "Where were they shipped from?", last)
    assert not accept("Where were they shipped from?", "Where were they shipped from?", last)  # resolved nothing
    assert not accept("How many containers did North Korea send to Russia?", "How many were sent?", last)  # echo
    assert accept("Where were the containers shipped from?", "Where were they shipped from?", last)


def test_it_and_they_stand_for_the_subject_of_the_last_question():
    begin = Turn("q", "When did the shipments begin?", "The articles do not say.")
    assert resolve("And when did they end?", [begin], None, "substitute") == "When did the shipments end?"
    depot = Turn("q", "How far from the border with Ukraine is the munitions depot?", "About 290 kilometers [1].")
    assert resolve("Which town is it close to?", [depot], None, "substitute") == \
        "Which town is the munitions depot close to?"
    arrive = Turn("q", "Where in Russia did the containers arrive?", "In Dunay [1].")
    assert resolve("Where were they taken next?", [arrive], None, "substitute") == \
        "Where were the containers taken next?"


def test_his_is_the_person_named_after_a_title_not_a_place():
    zelenskyy = Turn("q", "Which Ukrainian president went to NATO's headquarters?",
                     "Ukraine President Zelenskyy went to NATO's headquarters in Brussels [1].")
    assert resolve("Where did he go next?", [zelenskyy], None, "substitute") == "Where did President Zelenskyy go next?"
    # "his country" is the country his title comes with
    assert resolve("How many shells does his country fire every day?", [zelenskyy], None, "substitute") == \
        "How many shells does Ukraine fire every day?"


def test_of_them_its_and_what_kind_of():
    died = Turn("q", "How many people died in the Hamas attack on Israel?", "Over 1,300 [1].")
    assert resolve("How many of them were Americans?", [died], None, "substitute") == \
        "How many Americans died in the Hamas attack on Israel?"
    assert resolve("How many of them were children or elderly?", [died], None, "substitute") == \
        "How many of the people who died in the Hamas attack on Israel were children or elderly?"
    nuclear = Turn("q", "What has North Korea's nuclear programme turned it into internationally?", "A pariah [1].")
    assert resolve("How many of its satellite launches failed this year?", [nuclear], None, "substitute") == \
        "How many of North Korea's satellite launches failed this year?"  # "this year" is a time, not a reference
    drones = Turn("q", "What kind of drones has Moscow been given?", "Iranian-made drones [1].")
    assert resolve("How many of them did North Korea supply?", [drones], None, "substitute") == \
        "How many of the drones did North Korea supply?"
    # "its" after a name of the same question: nothing to resolve, asked as it is
    assert not dependent("What is North Korea hoping to get in return for its munitions?")
    assert dependent("What did North Korea change after his parliamentary session?")  # "his" is a person


def test_that_country_is_the_place_the_last_question_named():
    died = Turn("q", "How many Americans died in the Hamas attack on Israel?", "27 [1].")
    assert resolve("Aid to that country might be paired with aid to which other country?", [died], None,
                   "substitute") == "Aid to Israel might be paired with aid to which other country?"


def test_a_quoted_answer_s_first_word_is_no_name():
    # an extractive answer starts with an opening quote: "In" is its first word, not the person
    austin = Turn("q", "Who announced the extra $200 million for Ukraine?",
                  "\u201cIn a meeting of the Ukraine Defense Contact Group in Brussels, U.S. Defense Secretary Lloyd "
                  "Austin announced an additional $200 million in U.S. security aid for Ukraine.\u201d [1]")
    assert resolve("What is his job?", [austin], None, "substitute") == "What is U.S. Defense Secretary Lloyd Austin's job?"


def test_it_after_how_much_is_the_amount_the_answer_gave():
    money = Turn("q", "How much Ukraine money was in the Senate bill at first?",
                 "The Senate initially considered a bill including approximately $6 billion for Ukraine [1].")
    assert resolve("When was it taken out?", [money], None, "substitute") == \
        "When was the $6 billion of Ukraine money taken out?"
    refused = Turn("q", "How much Ukraine money was in the Senate bill at first?",
                   "The articles do not contain an answer to this question.")
    assert resolve("When was it taken out?", [refused], None, "substitute") == "When was the Ukraine money taken out?"
