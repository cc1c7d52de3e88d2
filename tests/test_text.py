"""Word normalisation and lexical support (rag.text)."""

from rag.text import american, content_words, support


def test_word_forms_match():
    assert content_words("arrive") == content_words("arrived") == content_words("arriving") == ["arriv"]
    assert content_words("Houses") == content_words("house")
    assert content_words("the U.S. military") == content_words("US military") == ["us", "military"]  # not "u", "s"


def test_british_and_american_spellings_match():
    pairs = [("criticised", "criticized"), ("defence", "defense"), ("centre", "center"), ("metres", "meters"),
             ("labour", "labor"), ("analysed", "analyzed"), ("organisation", "organization"),
             ("favourite", "favorite"), ("programme", "program"), ("catalogues", "catalogs"),
             ("offences", "offenses"), ("centred", "centered"), ("harbours", "harbors")]
    assert [content_words(b) for b, _ in pairs] == [content_words(a) for _, a in pairs]
    # a word and its inflections stay together where the stem is too short for a rule
    assert content_words("raise") == content_words("raised") and content_words("rises") == content_words("rise")
    assert content_words("promise") == content_words("promised") == content_words("promising")
    for word in ("four", "hour", "tour", "acre", "genre", "more", "store", "basis", "crisis"):
        assert american(word) == word


def test_support_weights_numbers():
    quote = set(content_words("Ukraine fires approximately 8,000 shells daily"))
    assert support(content_words("8,000 shells"), quote) == 1.0
    assert support(content_words("9,000 shells"), quote) < 0.5
