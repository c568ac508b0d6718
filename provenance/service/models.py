"""Request and response models: what the routes accept and answer (validation and /docs).

Articles (``POST /v1/check``, ``POST /v1/scan``) and corpus documents (``POST /v1/documents``)
carry the fields of a JSON article file (docs/corpus.md): the text as ``text`` (plain text) or
``html`` (a page, read as an ``.html`` file is), and optional metadata. Other fields are kept as
the article's metadata, as a JSON article file's are.

Responses: ``/v1/check`` answers a :class:`CheckResponse` whose ``item`` is exactly an item of
the ``provenance-report/1`` report; ``/v1/scan`` answers a whole report (``provenance scan
--format json``); their schema is ``provenance schema report``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FailOn = Literal["error", "info", "never"]


class ArticleIn(BaseModel):
    """One article: ``text`` or ``html``, and optional metadata."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": "draft-2024-0611", "title": "港口新航线开通",
        "text": "东江港集装箱码头三期工程日前通过竣工验收……", "published": "2024-06-11T08:00:00+08:00"}]})

    text: str | None = Field(None, description="The article as plain text (or Markdown with front matter).")
    html: str | None = Field(None, description="The article as an HTML page (its main text is extracted).")
    id: str | None = Field(None, min_length=1, max_length=1000,
                           description="Id in the answer [default: 'article', or 'article-N' in a scan].")
    title: str | None = None
    url: str | None = None
    published: str | None = Field(None, description="ISO 8601 date or date-time; naive times are UTC.")
    source: str | None = Field(None, description="The outlet the text is from.")
    publisher: str | None = None
    license: str | None = None

    @model_validator(mode="after")
    def _one_text(self) -> ArticleIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("give the article as exactly one of 'text' or 'html'")
        return self


class ScanRequest(BaseModel):
    """Several articles at once (at most ``--max-articles``, 100 by default)."""

    articles: list[ArticleIn] = Field(min_length=1)


class DocumentIn(ArticleIn):
    """A corpus original: its ``id`` is required (adding a known id updates that document)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": "wire/2024-06-11-port", "source": "东江网", "url": "https://www.dongjiang.example.cn/port.html",
        "published": "2024-06-11T06:30:00+08:00", "title": "东江港三期工程通过验收",
        "text": "东江港集装箱码头三期工程日前通过竣工验收……"}]})

    id: str = Field(min_length=1, max_length=1000, description="The document's corpus id.")  # type: ignore[assignment]


class DocumentsRequest(BaseModel):
    """Corpus documents to add or update (at most ``--max-documents``, 1000 by default); the
    body may also be the bare list."""

    documents: list[DocumentIn] = Field(min_length=1)


class CheckResponse(BaseModel):
    """The item of one article, and what it means for a pipeline."""

    item: dict[str, Any] = Field(description="The article's item, exactly as in the provenance-report/1 report.")
    verdict: str
    severity: Literal["none", "info", "error"]
    exit_code: Literal[0, 1] = Field(description="What 'provenance check' would exit with for this article at fail_on.")
    fail_on: FailOn
    text: str = Field(description="The article's text as loaded: every span of the item points into it.")
    source_texts: dict[str, str] | None = Field(
        None, description="With ?sources=true: the loaded text of every matched corpus document, by id.")
    view: str | None = Field(
        None, description="With ?view=true: the HTML report's section for this article (verdict, message, original "
                          "and chain, credits, and the article beside each matched document with the copied passages "
                          "marked), an HTML fragment styled by /static/report.css; the page at / shows it.")
    index: dict[str, Any] = Field(description="The index checked against: documents and generation.")


class DocumentsResponse(BaseModel):
    added: int
    updated: int
    unchanged: int
    documents: int = Field(description="Documents in the index after the write.")
    generation: int = Field(description="The index snapshot the next check reads.")


class ErrorResponse(BaseModel):
    error: str = Field(description="The HTTP status in words, e.g. 'payload too large'.")
    detail: Any = Field(description="What went wrong: a sentence, or a list of validation problems.")
