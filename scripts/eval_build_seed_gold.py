#!/usr/bin/env python3
"""Regenerate corpora/gold/seeds.jsonl from the annotations below.

Each annotation gives a context that occurs exactly once in the seed file, with the error span
marked ⟦like this⟧; the script turns it into code-point offsets and checks that
``text[start:end]`` is the marked span. Edit the list, run the script, commit both.

    .venv/bin/python scripts/eval_build_seed_gold.py [--seeds ../shared/seeds]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtqa.corpora import parse_marked  # noqa: E402
from mtqa.evaluation.gold import GoldSpan, check_against_texts, write_gold  # noqa: E402

S0, S1, S2, S3, S4 = (
    "000_74b76634e9d87410.txt", "001_0cabadb315889dfe.txt", "002_ea47168de478fd78.txt",
    "003_87ee7a4a6ba5af6a.txt", "004_defe518a12050a6b.txt",
)

# (doc, marked context, category, severity, fix or None, note or None)
ANNOTATIONS = [
    # --- 000: one long AP-style article, round-tripped through MT
    (S0, "leave the bunker under the ⟦Azvastal⟧ steelwork", "name-variant", "major", "Azovstal",
     "Azovstal elsewhere in the same article"),
    (S0, "even more frightening for ⟦those who left⟧.", "confusion", "minor", "those left behind",
     "sense inverted: the people still in the plant"),
    (S0, "have stormed ⟦a wide range of plants⟧, including", "confusion", "major", "the sprawling plant", None),
    (S0, "Deputy Prime Minister ⟦Irina⟧ Vereshchuk", "cross-copy", "minor", "Iryna",
     "Iryna Vereshchuk in 004"),
    (S0, "whether a new ⟦eviction⟧ would take place", "confusion", "major", "evacuation", None),
    (S0, "ordered his troops to ⟦shut down the plant without a storm⟧.", "fluency", "minor", None,
     "garbled: not to storm the plant but to seal it off"),
    (S0, "Ukrainian-controlled city of ⟦Zaporizhiya⟧, about", "name-variant", "minor", "Zaporizhzhia",
     "Zaporizhia later in the same article; house style Zaporizhzhia"),
    (S0, "decided not to travel to ⟦Zaporizhia⟧, where", "house-style", "minor", "Zaporizhzhia",
     "house style (corpora/house_style.toml)"),
    (S0, "balance of power after the Cold War⟦. Eastern Europe⟧.", "fluency", "minor", " in Eastern Europe",
     "a phrase cut off into a sentence fragment"),
    (S0, "in the Azovstal plant since the beginning of the war.⟦ “⟧", "punctuation", "minor", "",
     "dangling opening quotation mark"),
    (S0, "⟦He⟧ spoke of the hellish experience", "fluency", "minor", "She",
     "wrong pronoun: Osnat Lubrani is a woman (the wire original has 'she')"),
    (S0, "127 people arrived on Tuesday, ⟦he⟧ said.", "fluency", "minor", "she", "wrong pronoun, as above"),
    (S0, "said that some ⟦evictees⟧ have chosen", "confusion", "major", "evacuees", None),
    (S0, "Mariupol ⟦came as a symbol of⟧ the human misery", "fluency", "minor", "has become a symbol of", None),
    (S0, "⟦Plants have especially migrated to the outside world.⟧", "fluency", "major", None,
     "garbled sentence"),
    (S0, "has resumed after being ⟦removed⟧ over the weekend", "confusion", "minor", "halted", None),
    (S0, "eastern industrial hub of Ukraine, known as ⟦Donbass⟧.", "house-style", "minor", "Donbas", None),
    (S0, "which was ⟦occupied by Ukraine⟧ in 2014", "fluency", "major", "seized by Russia",
     "mistranslation (meaning inverted); only a model could notice"),
    (S0, "freeing troops to fight elsewhere in ⟦Donbass⟧.", "house-style", "minor", "Donbas", None),
    (S0, "The U.S. ambassador to ⟦Europe⟧", "fluency", "minor", None,
     "content lost: ambassador to the OSCE"),
    (S0, "Donetsk and Luhansk regions of ⟦Donbass⟧ that", "house-style", "minor", "Donbas", None),
    (S0, "“try to add a ⟦dissociation⟧ to democratic", "confusion", "major", "veneer", None),
    (S0, "legitimacy” and ⟦link the agencies to Russia⟧.", "fluency", "minor", None, "garbled"),
    (S0, "Russia will have ⟦an independent voting engineer⟧ in Kherson", "fluency", "major", None,
     "garbled: engineer an independence vote"),
    (S0, "complete picture of the war ⟦unfolded earlier⟧ because", "fluency", "minor", None,
     "garbled: unfolding in the east"),
    (S0, "⟦Formerly fighting Ukraine and Moscow-backed rebels have both imposed strict restrictions on reporting.⟧",
     "fluency", "major", None, "garbled sentence"),
    (S0, "advance in relatively small groups against the ⟦hardline⟧ Ukrainian resistance", "confusion", "minor",
     "stiff", None),
    (S0, "“Recovery from this will be further ⟦enhanced⟧ by sanctions", "confusion", "major", "hampered",
     "meaning inverted"),
    (S0, "operational execution ⟦has enabled it to⟧ translate", "fluency", "major", "has left it unable to",
     "meaning inverted"),
    (S0, "numerical strength into ⟦decision-making⟧ advantage", "confusion", "minor", "decisive", None),
    (S0, "on Tuesday announced ⟦সাম⟧ 300 million", "script-intrusion", "major", "£",
     "Bengali letters where the pound sign was"),
    (S0, "300 million (⟦$ 375⟧ million)", "locale-convention", "minor", "$375", "space after currency symbol"),
    (S0, "In a ⟦distant⟧ speech to Ukraine’s parliament", "confusion", "minor", "video", None),
    (S0, "the country’s “⟦best time⟧.”", "confusion", "minor", "finest hour", "Churchill's 'finest hour'"),
    (S0, "the brutal power of an aggressor ⟦does not value anything⟧ against", "fluency", "minor",
     "counts for nothing", None),
    # --- 001: another copy of the story, via a different source language
    (S1, "storm Azovstal⟦ .⟧ the last strongholds", "punctuation", "minor", ",", "stray ' .' in the headline"),
    (S1, "thanks to an announced ceasefire ⟦in precedence⟧ from Moscow", "fluency", "minor", None, "garbled"),
    (S1, "⟦He⟧ also indicated the start of the operation", "fluency", "minor", "It",
     "the subject is the ministry"),
    (S1, "Defense Ministry, Vadim ⟦Astafeev⟧, said", "cross-copy", "minor", "Astafiev",
     "Vadim Astafiev in 000"),
    (S1, "to reach the ⟦fire stations⟧, and now", "confusion", "major", "firing positions", None),
    (S1, "and now ⟦he’s⟧ started targeting them", "fluency", "minor", "they have", "wrong pronoun"),
    (S1, "started targeting them.⟦ “⟧", "punctuation", "minor", "”", "closing quote written as an opening one"),
    (S1, "came out of the basements and took ⟦fire positions⟧ in", "confusion", "minor", "firing positions", None),
    (S1, "took fire positions in ⟦thearea⟧ and", "glued-word", "minor", "the area", None),
    (S1, "to destroy these firing positions.⟦ “⟧", "punctuation", "minor", "”",
     "closing quote written as an opening one"),
    (S1, "⟦.vjs-texttrack-settings {display: nobody;}⟧", "markup-leak", "critical", "",
     "video-player CSS left in the copy"),
    (S1, "civilians in the city of ⟦Zaporizhia⟧.", "house-style", "minor", "Zaporizhzhia",
     "house style (corpora/house_style.toml)"),
    (S1, ".vjs-texttrack-settings {display: ⟦nobody⟧;}", "markup-leak", "critical", "none",
     "the CSS keyword 'none' translated"),
    (S1, "“resistance” ⟦castle⟧", "confusion", "minor", "fortress", None),
    (S1, "with the aim of ⟦leaving civilians and fighters⟧, on condition", "fluency", "minor",
     "letting civilians and fighters leave", None),
    (S1, "However, the two sides ⟦returned and⟧ exchanged", "fluency", "minor", "again", None),
    (S1, "⟦Read More About: World News⟧", "boilerplate-leak", "major", "", None),
    # --- 002: Indian syndication copy; clean apart from the "Also Read" links
    (S2, "⟦Also Read:\u00a0Russia pounds railroad stations in Ukraine, targets Western weapon supply⟧",
     "boilerplate-leak", "major", "", None),
    (S2, "⟦Also Read:\u00a0United States intelligence helped Ukraine kill Russian Generals: Report⟧",
     "boilerplate-leak", "major", "", None),
    # --- 003: clean wire copy (a control): no annotations
    # --- 004: via Portuguese
    (S4, "⟦date 2022-04-24⟧ Ukraine", "metadata-leak", "major", "", "date stamp glued to the first sentence"),
    (S4, "said on Saturday⟦ (23)⟧ that", "locale-convention", "minor", "",
     "weekday with the day number in parentheses (Portuguese convention)"),
    (S4, "adviser to the ⟦cabinet⟧ of Ukrainian President", "confusion", "minor", "office",
     "Portuguese 'gabinete' (office) rendered as a false friend"),
    (S4, "⟦On the occasion⟧, Russian President", "fluency", "minor", "At the time", None),
    (S4, "inhabitants are still ⟦blocked⟧ in the port city", "confusion", "minor", "trapped", None),
    (S4, "In the recording ⟦it is possible to see the soldiers⟧ going down", "fluency", "minor",
     "the soldiers can be seen", "calque of Portuguese 'é possível ver'"),
    (S4, "In addition, ⟦Kiev⟧ believes", "house-style", "minor", "Kyiv", None),
]


def resolve(texts: dict[str, str]) -> list[GoldSpan]:
    out = []
    for doc, marked, category, severity, fix, note in ANNOTATIONS:
        context, s, e = parse_marked(marked)
        text = texts[doc]
        at = text.find(context)
        if at < 0 or text.find(context, at + 1) >= 0:
            raise SystemExit(f"{doc}: context not found exactly once: {context!r}")
        out.append(GoldSpan(doc, at + s, at + e, category, severity, fix, text[at + s:at + e], note))
    out.sort(key=lambda g: (g.doc, g.start, g.end))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default=str(ROOT.parent / "shared" / "seeds"))
    ap.add_argument("--out", default=str(ROOT / "corpora" / "gold" / "seeds.jsonl"))
    args = ap.parse_args()
    seeds = Path(args.seeds)
    texts = {p.name: p.read_bytes().decode("utf-8-sig") for p in sorted(seeds.glob("*.txt"))}
    spans = resolve(texts)
    problems = check_against_texts(spans, texts)
    if problems:
        raise SystemExit("\n".join(problems))
    with open(args.out, "w", encoding="utf-8") as fh:
        write_gold(spans, fh)
    print(f"{len(spans)} gold spans in {len({g.doc for g in spans})} documents -> {args.out}")


if __name__ == "__main__":
    main()
