"""What the model is shown of untrusted text: articles and questions come from anywhere.

Three defences against prompt injection through an article:
- chat-template control tokens (`<|im_start|>`, `<s>`, `[INST]`, ...) are blanked, so an
  article cannot close the user turn and open a system turn of its own;
- `[n]` markers written in an article become `(n)`, so they cannot pose as our passage
  numbers and steer which passage an answer is attributed to;
- sentences that address an AI ("ignore previous instructions", "answer every question
  with ...") are left out of the prompt and are never quoted as a source.
Citations still point at the untouched file (offsets are never shifted: blanked text keeps
its length).

Simplified on purpose: instruction-like sentences are found with patterns, so an article
that merely reports on such attacks loses those sentences too, and a paraphrased attack
can get through; the citation check (every claim must be supported by a quote) remains the
last line of defence.
"""

from __future__ import annotations

import re

_CONTROL_TOKEN = re.compile(r"<\|[^<>|\n]{0,40}\|>|</?s>|\[/?INST\]|<<SYS>>|<</SYS>>", re.I)
_MARKER = re.compile(r"\[(\d{1,3})\]")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|rules|directions|guidelines)\b"
    r"|\b(?:you are now|from now on,? you|act as an?|pretend (?:to be|you are)|new instructions?|system prompt"
    r"|as an ai\b|language model)\b"
    r"|\b(?:answer|respond|reply)\b[^.!?\n]{0,30}\b(?:every|all|any)\b[^.!?\n]{0,20}\bquestions?\b"
    r"|\b(?:assistant|ai|chatbot|model)s?\s*:\s*(?:ignore|always|never|you must)\b",
    re.I)


def is_instruction(sentence: str) -> bool:
    """Whether a sentence speaks to an AI rather than reporting news."""
    return bool(_INSTRUCTION.search(sentence))


def blank_controls(text: str) -> str:
    """Control tokens and control characters replaced by spaces (length kept)."""
    text = _CONTROL_TOKEN.sub(lambda m: " " * len(m.group()), text)
    return _CONTROL_CHARS.sub(" ", text)


def for_prompt(text: str) -> str:
    """Article text as the model may see it: no control tokens, no fake markers, no instructions."""
    from rag.chunk import split_sentences

    clean = _MARKER.sub(r"(\1)", blank_controls(text))
    kept, last = [], 0
    for s, e in split_sentences(clean):
        if is_instruction(clean[s:e]):
            kept.append(clean[last:s])
            last = e
    kept.append(clean[last:])
    return re.sub(r"[ \t]{2,}", " ", "".join(kept)).strip()
