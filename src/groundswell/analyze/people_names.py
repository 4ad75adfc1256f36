"""Word lists behind the name heuristic: common given names, and capitalised words that are not
surnames on their own.

The given names let the capitalised-bigram heuristic find private people ("my boss Mark Dunn")
without an NER model: a bigram counts as a name only when its first word is a given name here.
The lists are hand-written, English-first with common names from other languages; extend them
rather than loosening the rule.
"""

from __future__ import annotations

_GIVEN = """
aaron abby abigail adam adrian aisha alan albert alex alexander alexandra alexis alice alicia
alison allison amanda amber amy ana andrea andrew andy angela angelina anita ann anna anne annie
anthony antonio april ariana ashley audrey austin barbara ben benjamin beth betty beverly bill billy
blake bob bobby brad bradley brandon brenda brian brittany brooke bruce bryan caitlin caleb cameron
carl carla carlos carol caroline carolyn carrie casey catherine charles charlie charlotte chelsea
cheryl chloe chris christian christina christine christopher cindy claire clara cody colin connor
courtney craig crystal cynthia dale dan dana daniel danielle danny darren dave david dawn dean
deborah debra denise dennis derek diana diane dominic don donald donna doris dorothy doug douglas
dylan ed eddie edward eileen elaine eleanor elena elizabeth ella ellen emily emma eric erica erin
ethan eva evan evelyn fatima frances francis frank fred gabriel gabriella gail gary george gerald
gina gloria grace greg gregory hannah harold harry hayley heather helen henry holly ian isaac
isabella isabel jack jackie jacob jacqueline jake james jamie jan jane janet janice jared jason
jay jean jeff jeffrey jen jenna jennifer jenny jeremy jerry jesse jessica jill jim jimmy jo joan
joanna jodi joe joel john johnny jon jonathan jordan jose joseph josh joshua joy joyce juan judith
judy julia julian julie justin karen kate katherine kathleen kathryn kathy katie kayla keith kelly
ken kenneth kevin kim kimberly kirsten kristen kyle larry laura lauren leah lee leo leslie liam
lily linda lindsay lisa liz logan lori louis louise lucas lucy luis luke lydia lynn madison maggie
marc marcus margaret maria marie marilyn mario mark martha martin mary matt matthew maureen megan
melanie melissa meredith mia michael michele michelle mike molly monica morgan nancy naomi natalie
nathan neil nicholas nick nicole noah nora olivia oscar pamela pat patricia patrick paul paula
peggy penny peter phil philip phillip rachel ralph randy ray raymond rebecca renee rhonda richard
rick rob robert robin rod roger ron ronald rosa rose ruby russell ruth ryan sabrina sally sam
samantha samuel sandra sara sarah scott sean seth shannon sharon shawn sheila shirley simon sofia
sophia sophie stacy stephanie stephen steve steven sue susan suzanne tammy tanya tara taylor ted
teresa terry theresa thomas tiffany tim timothy tina todd tom tommy tony tracy travis troy tyler
valerie vanessa veronica victor victoria vincent virginia walter wanda wayne wendy will william
willie zach zachary zoe
ahmed ali amir anja beatriz carmen chen daniela elena fabio francesca giulia hans hiroshi ingrid
isabelle jorge juan karin klaus lars laura lena lucia manuel marco mariana marta maximilian
mohammed muhammad nadia nina omar pablo pedro priya rahul raj sandeep sanjay sofia sven thomas
valentina wei yuki yusuf
"""
GIVEN_NAMES: frozenset[str] = frozenset(_GIVEN.split())

# function words and calendar words: never part of a name, on either side of it
_FUNCTION_WORDS = """
a an and are as at be been but by can did do does for from had has have he her here his how i
if in is it its just me my no not now of on or our she so than that the their them then there
they this to too up us was we were what when where who why will with would you your
"""
FUNCTION_WORDS: frozenset[str] = frozenset(_FUNCTION_WORDS.split())
_CALENDAR_WORDS = """
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december today tomorrow yesterday
"""
CALENDAR_WORDS: frozenset[str] = frozenset(_CALENDAR_WORDS.split())

# capitalised words that follow a given name without making a person ("Grace Church", "Will Be")
_NOT_SURNAMES = """
church street road school university college hospital park hall house court county city
center centre foundation institute company news times post show day night week year
garden gardens hotel bar cafe restaurant valley island beach award awards prize group media
network studios pictures films records tv radio magazine press review journal party club team
museum theatre theater library bridge river lake mountain square station airport avenue drive
lane way anyone everyone someone nobody nothing something everything never always ever still
even also only really very more most much many some any all each every both other another such
same own again once please thanks thank yes no ok okay
new york los angeles san francisco united states kingdom north south east west hong kong saudi
arabia middle silicon wall supreme white prime sri lankan tamil nadu bollywood hollywood
"""
NOT_SURNAMES: frozenset[str] = frozenset(_NOT_SURNAMES.split()) | FUNCTION_WORDS | CALENDAR_WORDS

# surnames that are also everyday words or very common names: never matched on their own
_COMMON_SURNAMES = """
allen black bell best brown bush child crews daniels ford franks freeman gay graham grace green
heard hill hope king kelly lawrence lee long love luke may miller moore page price ramadan rice
rose rush short singer smiley swift thomas turner watson white williams wood young jung
singh khan kumar sharma patel gupta shah das roy ali ahmed smith johnson jones davis wilson
taylor anderson martin garcia martinez rodriguez lopez wang li zhang chen nguyen kim park
"""
COMMON_SURNAMES: frozenset[str] = frozenset(_COMMON_SURNAMES.split())

# capitalised words that come before a name but are not part of it ("Activist Maren Oakhurst",
# "BREAKING: Update ..."): never the first word of a discovered name
_NOT_FIRST = """
activist actor actress anchor author breaking ceo chairman chef coach comedian congressman
congresswoman councillor dean detective director doctor dr editor exclusive father founder
governor host judge justice lawyer lord madam mayor minister mogul mr mrs ms pastor president
priest prince princess prof professor publisher queen rabbi read report reporter rep rev
reverend senator sen singer sir sister star update via watch welcome writer dear happy hey hi
hello thanks thank congratulations congrats when after before why what how where who while if
since today yesterday tonight barrister capt captain filmmaker bishop baroness baron general
colonel sergeant officer chief
"""
NOT_FIRST: frozenset[str] = frozenset(_NOT_FIRST.split()) | NOT_SURNAMES

# the movement's own tag words: never part of a person's name, with or without the "#", so
# "#MeToo Full story" or "TimesUp Now" makes no person (issue 9)
_MOVEMENT_WORDS = """
metoo timesup churchtoo mosquemetoo himtoo hetoo metooindia metoostem metoomvmt metoomovement
balancetonporc yotambien quellavolta whyididntreport believesurvivors believewomen
ibelievehim ibelieveher ibelievesurvivors timesupnow wetoo youtoo
"""
MOVEMENT_WORDS: frozenset[str] = frozenset(_MOVEMENT_WORDS.split())

# lower-case particles inside a name ("Jean van der Berg", "Omar bin Talal", "Ana de la Cruz")
_PARTICLES = "van von der den de del della da di du la le bin binti ibn ter ten dos das"
PARTICLES: frozenset[str] = frozenset(_PARTICLES.split())
