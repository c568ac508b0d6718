"""Reprint terms stated inside articles: disclaimer sentences → policies.

Read at the ``mid`` level (Simplified, half-width), lower-cased for English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NO_REPRINT = "no-reprint"
ATTRIBUTION = "attribution-required"

_NO_REPRINT = [
    re.compile(p)
    for p in (
        r"未经.{0,12}(?:许可|授权|同意|允许).{0,12}(?:不得|禁止|严禁|请勿|不可|谢绝).{0,6}(?:转载|转发|摘编|复制|转贴|镜像|使用)",
        r"(?:禁止|严禁|谢绝|不得|请勿|拒绝)(?:任何)?(?:媒体|网站|单位|个人)?.{0,6}(?:转载|摘编|转贴)",
        r"版权所有.{0,20}(?:不得|禁止|严禁|谢绝)",
        r"(?i)may not be (?:re)?(?:published|broadcast|rewritten|redistributed|reproduced|reprinted|copied)",
        r"(?i)(?:republication|reproduction|reprinting|redistribution) (?:is |are )?(?:strictly )?(?:prohibited|forbidden|not permitted)",
        r"(?i)(?:do|must) not (?:republish|reproduce|reprint|redistribute)",
        r"(?i)no (?:part of this (?:article|story|material) may be|reprints?\b)",
    )
]
_ATTRIBUTION = [
    re.compile(p)
    for p in (
        r"转载.{0,8}(?:请|须|需|必须|务必|应当?).{0,6}(?:注明|标明|保留|署名|说明).{0,8}(?:出处|来源|作者|原文|链接|本站|本网)?",
        r"(?:请|须|需|必须|务必).{0,4}(?:注明|标明|保留).{0,8}(?:出处|来源)",
        r"(?i)must (?:keep|retain|state|cite|credit|include|give|acknowledge) (?:the )?(?:source|credit|attribution|author)",
        r"(?i)(?:please|must) (?:credit|attribute|cite)",
        r"(?i)(?:with|requires?|given) (?:proper |full |clear )?(?:attribution|credit)",
        r"(?i)creative commons attribution|\bcc[- ]by\b",
    )
]
_NO_EDITS = re.compile(r"(?i)\bcc[- ]by(?:[- ]nc)?[- ]nd\b|noderivatives|no derivatives|不得(?:修改|删改|篡改|歪曲)|不得.{0,4}改动")
_AGGREGATOR = [
    re.compile(p)
    for p in (
        r"(?:凡|所有)?(?:本站|本网|本平台|本号)?(?:未|没有|非)(?:注明|标明|标注|署名).{0,24}(?:作品|稿件|文章|内容|信息)?.{0,12}(?:均|皆|系|为)?(?:转载|转自|来自|来源于|摘编|编译)",
        r"(?i)not (?:marked|labell?ed|credited|identified) as (?:coming |originating )?(?:from|ours|our own).{0,80}(?:reproduc|reprint|republish|taken) ",
        r"(?i)(?:reproduced|reprinted|republished) from other (?:media|sources|outlets)",
    )
]


@dataclass
class Disclaimer:
    """What one disclaimer sentence says: a policy, no edits, and whether the site aggregates."""

    policy: str | None
    no_edits: bool
    aggregator: bool
    sentence: str


def read_disclaimer(text: str) -> Disclaimer | None:
    """Interpret one notice/disclaimer text; None if it states no reprint terms."""
    aggregator = any(p.search(text) for p in _AGGREGATOR)
    policy = None
    if any(p.search(text) for p in _NO_REPRINT):
        policy = NO_REPRINT
    elif any(p.search(text) for p in _ATTRIBUTION):
        policy = ATTRIBUTION
    no_edits = bool(_NO_EDITS.search(text))
    if no_edits and policy is None:
        policy = ATTRIBUTION
    if policy is None and not aggregator:
        return None
    return Disclaimer(policy, no_edits, aggregator, " ".join(text.split())[:300])
