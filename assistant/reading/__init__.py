"""Reading free text the way people type it: yes/no, numbers, amounts, choices, names,
harm words, programs and stages (``words``), and answers inside whole sentences
(``answers``); the words themselves are data (``lexicon.yml``). Pure functions.
It sits below casework because intake (safeguarding reports, finding a household by name)
reads free text too. May import: ``assistant.knowledge``, ``assistant.common``."""
