"""Quotations: which characters of a text lie inside quotation marks, or are quoted speech without them.

Many outlets quote the same sentence of a press conference or a statement; a passage that lies
mostly inside quotation marks in both texts is evidence of a common speaker, not of copying
(DESIGN §5). A text is read in one pass over its marks and lines, and four kinds of quotation are
marked:

- *Marks.* An opening mark (“ ‘ 「 『 « „ ＂ and the straight " and ') opens a quote that its
  closing mark ends. A quote still open where its paragraph ends runs to that end when the next
  paragraph reopens with a mark (a quotation over several paragraphs) and that comes soon;
  otherwise its closing mark was lost and only its first sentence is quoted (the narration after
  it is not). A straight " after a word and before a space, or after a letter, digit or '=',
  opens nothing ('Dollywood." Most', 'style="…"', '12"'). A closing mark with nothing open is an
  apostrophe or a stray and opens nothing; an opening mark repeated before the first is closed
  drops the unclosed one (scraped text loses marks); a closing mark ends the quote it belongs to
  and any unclosed one opened inside it. A single mark between two letters (we’re, Putin's) is an
  apostrophe, neither opening nor closing; a straight ' opens only before a letter at the start of
  a word (not before the end of a word that scraped spacing cut off, "Russia 's", "don 't") and
  closes only after a word or a stop, and ’ closes only after one.
- *Transcript turns.* A speaker label, one to four words in capitals ending in a colon alone on its
  line ("DONALD TRUMP:", "SEN. JANE DOE:", "Q:"), or Q:/A:/问：/答：/记者：/主持人： at the start of a
  line, begins a turn of speech, label included. Labels count only in a dialogue: a text with two
  different labels, one of them used twice (section headings in capitals are each used once, a
  dateline "WASHINGTON: ..." is never alone on its line). A turn runs to the next label when that
  comes within ``TURN_MAX`` characters, else to the end of its first paragraph (a turn's narration
  is speech; after the last turn the text may be the outlet's own again).
- *Embedded posts.* A post's signature, "— Name (@handle) July 16, 2018" on its own line (a tweet)
  or "A post shared by Name (@handle) on …" (Instagram), is quoted with the paragraph before a
  tweet's signature, which is the tweet; a paragraph ending in a t.co or pic.twitter.com link is a
  tweet whose signature was lost. Posts are at most ``POST_MAX`` characters. A paragraph ending in
  a colon before a signature introduces a post whose text was lost, and is not taken; nor is the
  paragraph before an Instagram line: scraped embeds often lose the caption, leaving the narration
  above it.
- *Displayed quotations.* A line ending in a verb of saying (followed by at most four words) and a
  colon ("… wrote in full:", "… said in a statement:", "他说：") displays the paragraphs after it as a quotation, as many whole paragraphs as fit in
  ``UNCLOSED_MAX`` characters, unless they open with a quotation mark (then the marks tell). A
  colon alone ("Here is what we know:") introduces the outlet's own text and displays nothing.
"""

from __future__ import annotations

import re

import numpy as np

# Opening mark → its closing marks. Straight and full-width double quotes close themselves; a
# single curly quote may end with a straight mark and the reverse (scraped text mixes them).
_PAIRS = {"“": "”", "‘": "’'", "'": "'’", "「": "」", "『": "』", "«": "»", "„": "“”", "\"": "\"", "＂": "＂",
          "﹁": "﹂", "﹃": "﹄"}
_SINGLE = "'‘’"
# Letters of the scripts that write apostrophes inside words (not CJK, where ‘ ’ sit between characters).
_LETTER = "A-Za-z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
# The end of a word cut off before its apostrophe by scraped spacing ("Russia 's", "don 't"): a single
# mark before it opens nothing.
_CONTRACTION = re.compile(r"(?:s|t|d|m|re|ll|ve)(?![^\W\d_])")
_DOUBLE_MARKS = "".join(sorted(set("".join(_PAIRS) + "".join(_PAIRS.values())) - set(_SINGLE)))
# Line breaks, double marks, and single marks that are not between two letters (one character class
# first, so that the search skips text fast).
_EVENTS = re.compile(f"[\n{re.escape(_DOUBLE_MARKS)}{_SINGLE}]"
                     f"(?:(?<=[\n{re.escape(_DOUBLE_MARKS)}])|(?![{_LETTER}])|(?<![{_LETTER}].))")
# Before a straight double mark: a letter or digit of a word script, or '=' (the mark opens nothing).
_NO_OPEN_AFTER = re.compile(f"[{_LETTER}=]")
# The first character of the next paragraph with text, and the end of a sentence.
_NEXT_TEXT = re.compile(r"\S")
_SENTENCE_STOP = re.compile(r"[。！？!?…]+|\.(?=\s)")
QUOTED_SHARE = 0.5  # a passage mostly inside quotes (in both texts) is a shared quotation
# A quote the paragraph ends before its closing mark counts up to this length (a quotation over
# several paragraphs); a longer one is a stray mark. Also the most a displayed quotation holds.
UNCLOSED_MAX = 400
TURN_MAX = 3000  # a transcript turn longer than this (or the last one) is its first paragraph
POST_MAX = 400  # a tweet is at most 280 characters, a little more with its links

# A speaker label after a line break: Q:/A:/问：/答：/记者：/主持人： (speech may follow on the line), or
# a candidate name ending in a colon alone on its line (capitals and word count checked in code).
# Searched in the text after a line break (a pattern that starts with a literal is searched fast).
_LABEL = re.compile(r"(?m)\n[ \t]*(?:(?P<inline>Q|A|问|答|记者|主持人)[ \t]*[:：]|(?P<name>[^\W\d_][^\n:：]{0,39})[:：][ \t]*$)")
# Headings in capitals that web pages put alone on a line before their own text.
_HEADINGS = frozenset({"WATCH", "UPDATE", "UPDATED", "RELATED", "READ MORE", "MORE", "VIDEO", "PHOTOS", "LISTEN",
                       "SEE ALSO", "ALSO READ", "BREAKING", "CORRECTION", "EDITOR'S NOTE", "EDITOR’S NOTE",
                       "ADVERTISEMENT", "NOTE"})
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]{0,6}\.?"
# A handle in brackets, whose line _SIGNATURE or _SHARED then reads, and a link ending a line,
# a tweet's when it is t.co's or pic.twitter.com's (patterns that start with a literal are searched fast).
_HANDLE = re.compile(r"\(@[\w.]{1,30}\)")
_LINK_END = re.compile(r"\.com?/\w{1,20}[ \t]*$", re.M)
_TWEET_HOSTS = ("//t", "pic.twitter")
_SIGNATURE = re.compile(r"[—–-]{1,2}[^\n(]{1,80}\(@\w{1,30}\)[ \t]*" + _MONTH
                        + r"[ \t]+\d{1,2},[ \t]*\d{4}[^\n]{0,40}$")
_SHARED = re.compile(r"A post shared by [^\n(]{1,80}\(@[\w.]{1,30}\)")
# A line ending in a colon; it displays the paragraphs after it when a verb of saying is among the
# last words before the colon, at most four after it ("… wrote in full:", "… said in a statement:";
# _SAYING is read on those words only).
_COLON_END = re.compile(r"[:：][ \t]*$", re.M)
_SAYING = re.compile(r"(?:\b(?:said|says|wrote|writes|tweeted|tweets|posted|posts|stated|states|declared|reads)"
                     r"(?:[ \t]+[^\s.!?:：]{1,20}){0,4}|说|写道|表示)[ \t]*$")


def quoted_prefix(text: str) -> np.ndarray:
    """Characters inside quotation marks (the marks included), transcript turns, embedded posts and
    displayed quotations before each position of ``text``: ``prefix[e] - prefix[s]`` counts them in
    ``text[s:e]`` (one entry more than characters)."""
    inside = np.zeros(len(text), dtype=bool)
    for start, end in _marked(text):
        inside[start:end] = True
    if "\n" in text:
        for start, end in (*_turns(text), *_posts(text), *_displayed(text)):
            inside[start:end] = True
    return np.concatenate(([0], np.cumsum(inside)))


def _marked(text: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks, marks included."""
    spans = []
    closers: list[str] = []  # the marks that close the quotes open here, innermost last
    opener = ""
    start = 0
    for event in _EVENTS.finditer(text):
        position, ch = event.start(), event.group()
        if ch == "\n":
            if closers:
                end = _unclosed_end(text, start, position)
                if end - start <= UNCLOSED_MAX:
                    spans.append((start, end))
            closers.clear()
            continue
        can_open, can_close = ch in _PAIRS, True
        if ch == '"':
            # A straight double mark after a word and before a space closes ('Dollywood." Most',
            # a quote a line break already ended): it opens nothing; nor does one after a letter,
            # digit or '=' (an attribute value 'style="…"', inches '12"').
            before = text[position - 1] if position else " "
            after = text[position + 1] if position + 1 < len(text) else " "
            can_open = not ((after.isspace() and not before.isspace()) or _NO_OPEN_AFTER.match(before))
        if ch in _SINGLE:
            before = text[position - 1] if position else " "
            after = text[position + 1] if position + 1 < len(text) else " "
            can_close = not before.isspace()
            can_open = (ch == "‘" or (ch == "'" and after.isalpha() and not before.isalnum())) and not (
                after in "stdmrlv" and _CONTRACTION.match(text, position + 1))
        level = _closed_level(closers, ch) if closers and can_close else -1
        if level >= 0:
            del closers[level:]
            if not closers:
                spans.append((start, position + 1))
            continue
        if not can_open:
            continue
        if not closers or ch == opener:
            # The outermost mark again before its close: the open quote was never closed (scraped
            # text loses marks), so it is dropped and a new one starts here.
            closers.clear()
            start, opener = position, ch
        closers.append(_PAIRS[ch])
    if closers:
        end = _unclosed_end(text, start, len(text))
        if end - start <= UNCLOSED_MAX:
            spans.append((start, end))
    return spans


def _unclosed_end(text: str, start: int, end: int) -> int:
    """Where a quote opened at ``start`` and still open at the paragraph's end ``end`` stops. A
    quotation over several paragraphs reopens the next one with a mark: then it runs to ``end``.
    Otherwise its closing mark was lost (scraped or reordered text), and only its first sentence
    is taken to be the quotation: the narration after it stays narration."""
    following = _NEXT_TEXT.search(text, end)
    if following is not None and following.group() in _PAIRS:
        return end
    stop = _SENTENCE_STOP.search(text, start + 1, end)
    return end if stop is None else stop.end()


def _closed_level(closers: list[str], ch: str) -> int:
    """The innermost open quote that ``ch`` closes (its index in ``closers``), or -1."""
    for level in range(len(closers) - 1, -1, -1):
        if ch in closers[level]:
            return level
    return -1


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end


def _paragraph_after(text: str, position: int) -> tuple[int, int] | None:
    """The first line with text at or after ``position`` (its start and end), or None."""
    while position < len(text):
        end = _line_end(text, position)
        if text[position:end].strip():
            return position, end
        position = end + 1
    return None


def _paragraph_before(text: str, line_start: int) -> tuple[int, int] | None:
    """The last line with text before the line that starts at ``line_start``, or None."""
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        if text[start:end].strip():
            return start, end
        end = start - 1
    return None


def _turns(text: str) -> list[tuple[int, int]]:
    """Transcript turns (label and speech) of a text that is a dialogue."""
    labels: list[tuple[int, int, str]] = []  # start, end, speaker
    for match in _LABEL.finditer("\n" + text):  # offsets one on: the line starts at match.start()
        name = match.group("name")
        if name is not None:
            name = " ".join(name.split())
            if not (name.isupper() and len(name.split()) <= 4) or name in _HEADINGS:
                continue
        labels.append((match.start(), match.end() - 1, name or match.group("inline")))
    speakers = [speaker for _, _, speaker in labels]
    if len(set(speakers)) < 2 or len(set(speakers)) == len(speakers):
        return []
    turns = []
    for k, (start, end, _) in enumerate(labels):
        following = labels[k + 1][0] if k + 1 < len(labels) else len(text) + TURN_MAX + 1
        if following - end <= TURN_MAX:
            turns.append((start, following))
        elif (paragraph := _paragraph_after(text, end)) is not None:
            turns.append((start, paragraph[1]))
    return turns


def _posts(text: str) -> list[tuple[int, int]]:
    """Embedded posts: a tweet with its signature, an Instagram signature, a line ending in a tweet's link."""
    posts = []
    for handle in _HANDLE.finditer(text):
        line_start = text.rfind("\n", 0, handle.start()) + 1
        line_end = _line_end(text, handle.end())
        line = text[line_start:line_end].strip()
        if _SHARED.match(line):
            posts.append((line_start, line_end))  # the caption above may be lost: the signature only
        elif _SIGNATURE.match(line):
            post = _paragraph_before(text, line_start)
            if post is not None and post[1] - post[0] <= POST_MAX and not text[post[0]:post[1]].rstrip().endswith(":"):
                line_start = post[0]  # the tweet (a line ending in a colon introduces a post whose text is lost)
            posts.append((line_start, line_end))
    for link in _LINK_END.finditer(text):
        if text.endswith(_TWEET_HOSTS, max(0, link.start() - 11), link.start()):
            line_start = text.rfind("\n", 0, link.start()) + 1
            if link.end() - line_start <= POST_MAX:
                posts.append((line_start, link.end()))  # the tweet's text before its link
    return posts


def _displayed(text: str) -> list[tuple[int, int]]:
    """Paragraphs displayed as a quotation after a line ending in a verb of saying and a colon."""
    shown: list[tuple[int, int]] = []
    for colon in _COLON_END.finditer(text):
        if not _SAYING.search(text, max(0, colon.start() - 60), colon.start()):
            continue
        start = colon.end()
        # Paragraphs the block before already holds fit in this one too: read on from its end.
        end = max(start, shown[-1][1]) if shown else start
        while (paragraph := _paragraph_after(text, end + 1)) is not None:
            if paragraph[1] - start > UNCLOSED_MAX or text[paragraph[0]:paragraph[1]].lstrip()[:1] in _PAIRS:
                break
            end = paragraph[1]
        if end > start:
            shown.append((start, end))
    return shown


def quoted_share(prefix: np.ndarray, start: int, end: int) -> float:
    """Share of ``text[start:end]`` inside quotation marks (``prefix`` from :func:`quoted_prefix`)."""
    start, end = max(0, start), min(end, len(prefix) - 1)
    if end <= start:
        return 0.0
    return float(prefix[end] - prefix[start]) / (end - start)
