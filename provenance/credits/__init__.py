"""Credits, outlets and their terms: what an article says about where its text comes from
(``claims``), which outlets and wires are known and how a name resolves to one (``names``), the
reprint terms their notices state (``disclaimers``) and the policy that applies to each
(``policy``)."""
