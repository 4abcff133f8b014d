"""Stop words of the matching engine: function words and the words every cooperation text
uses ("suchen", "partner", "offer")."""

_GERMAN_STOP_WORDS_TEXT = """
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
anderes auch auf aus bei beim bin bis bist da damit dann das dass dem den denn der des
dessen die dies diese diesem diesen dieser dieses doch dort du durch ein eine einem einen
einer eines einige er es etwa etwas euer für gegen gibt hat hatte haben hier hin hinter ich
ihr ihre ihrem ihren im in ins ist jede jedem jeden jeder jedes jetzt kann kein keine können
könnte machen man mehr mit muss müssen nach neben nicht noch nun nur ob oder ohne sehr sein
seine sich sie sind so soll sollen sowie über um und uns unser unsere unter viel vom von vor
war waren warum was weil welche welchen wenn wer werden wie wieder will wir wird wo wollen
wurde würde zu zum zur zwischen suchen sucht bieten bietet biete suche partner partnerin
partnern gesucht gerne insbesondere bereich bereichen rahmen gemeinsam neue neuen neuer
projekt projekte projekten unternehmen
"""
GERMAN_STOP_WORDS = frozenset(_GERMAN_STOP_WORDS_TEXT.split())

_ENGLISH_STOP_WORDS_TEXT = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers him his how i if in into is it its itself just
me more most my no nor not now of off on once only or other our ours out over own same she
should so some such than that the their theirs them then there these they this those through
to too under until up very was we were what when where which while who whom why will with
would you your yours offer offers offering seek seeking seeks looking partner partners
especially area areas together new project projects company companies want wanted
"""
ENGLISH_STOP_WORDS = frozenset(_ENGLISH_STOP_WORDS_TEXT.split())

STOP_WORDS = GERMAN_STOP_WORDS | ENGLISH_STOP_WORDS
