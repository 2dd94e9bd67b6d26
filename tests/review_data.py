"""Copy for the review tests: nine findings with fixes (one with three alternatives), and a second
document whose leaked markup must show as text on the page, never run."""

STORY = (
    "Aid for Kiev\n\n"
    "Johnson on Tuesday announced সাম 300 million ($ 375 million) in new military aid.\n"
    "Critics say the actual government has failed to curb inflation.\n"
    "The ministry warned of eventual sanctions against the firms.\n\n"
    "Also Read: Russia pounds railroad stations in Ukraine\n\n"
    "Neighbours described him as a very sympathetic man who loved football <b>today</b>.\n"
)

HOSTILE = (
    "Officials said the vote would go ahead.\n\n"
    "<img src=x onerror=\"document.body.dataset.pwned='1'\"> "
    "<script>document.body.dataset.pwned='1'</script>\n\n"
    "The count ends on Friday.\n"
)

# STORY after: MTQ101 -> second alternative "€", MTQ402 accepted, "actual" rejected, "eventual"
# edited to "further"; the rest undecided (or undone).
EXPECTED = STORY.replace("সাম 300", "€300").replace("$ 375", "$375").replace("eventual", "further")
