#!/usr/bin/env python3
"""Deterministic JSONL news documents (Arabic and English) for the Spark test.

Usage: gen_docs.py N OUT.jsonl [--seed S] [--missing-id-every K] [--broken-at LINE ...] [--clean]

Every document names entities of the default gazetteer in sentences written
for this test. Each K-th line has no "id" (alam then names it FILE:LINE);
a few lines are empty documents (warnings) or lack the text field (errors);
--broken-at LINE (repeatable) makes that line malformed JSON (for the --strict
checks); --clean leaves out the empty documents and the records without text.
"""
import argparse
import datetime
import json
import random

# (English name, Arabic name) of entities of the default gazetteers.
PEOPLE = [
    ("Abdel Fattah el-Sisi", "عبد الفتاح السيسي"),
    ("Emmanuel Macron", "إيمانويل ماكرون"),
    ("Vladimir Putin", "فلاديمير بوتين"),
    ("Recep Tayyip Erdogan", "رجب طيب أردوغان"),
    ("Mohammed bin Salman", "محمد بن سلمان"),
    ("António Guterres", "أنطونيو غوتيريش"),
    ("Ali Khamenei", "علي خامنئي"),
    ("Bashar al-Assad", "بشار الأسد"),
    ("Xi Jinping", "شي جين بينغ"),
    ("Joe Biden", "جو بايدن"),
    ("Donald Trump", "دونالد ترامب"),
    ("Abdel Fattah al-Burhan", "عبد الفتاح البرهان"),
]
COUNTRIES = [
    ("Egypt", "مصر"), ("Jordan", "الأردن"), ("Saudi Arabia", "المملكة العربية السعودية"),
    ("France", "فرنسا"), ("Iraq", "العراق"), ("Iran", "إيران"), ("Lebanon", "لبنان"),
    ("Qatar", "قطر"), ("Russia", "روسيا"), ("China", "الصين"), ("Sudan", "السودان"),
    ("Syria", "سوريا"), ("Turkey", "تركيا"), ("Yemen", "اليمن"), ("Morocco", "المغرب"),
    ("United States", "الولايات المتحدة"), ("Algeria", "الجزائر"), ("Tunisia", "تونس"),
]
CITIES = [
    ("Cairo", "القاهرة"), ("Beirut", "بيروت"), ("Riyadh", "الرياض"), ("Baghdad", "بغداد"),
    ("Damascus", "دمشق"), ("Doha", "الدوحة"), ("Dubai", "دبي"), ("Paris", "باريس"),
    ("Moscow", "موسكو"), ("Tehran", "طهران"), ("Ankara", "أنقرة"), ("Istanbul", "إسطنبول"),
    ("Khartoum", "الخرطوم"), ("Rabat", "الرباط"), ("Washington", "واشنطن"), ("Gaza", "غزة"),
]
ORGS = [
    ("United Nations", "الأمم المتحدة"), ("Arab League", "جامعة الدول العربية"),
    ("NATO", "حلف شمال الأطلسي"), ("OPEC", "منظمة البلدان المصدرة للنفط"),
    ("World Bank", "البنك الدولي"), ("International Monetary Fund", "صندوق النقد الدولي"),
    ("European Union", "الاتحاد الأوروبي"), ("World Health Organization", "منظمة الصحة العالمية"),
    ("Al Jazeera", "قناة الجزيرة"),
]

EN = [
    "{P} met {Q} in {C} on Tuesday to discuss the crisis in {K}.",
    "Officials from {K} and {L} said talks in {C} would resume next week.",
    "The {O} warned that food prices in {K} could rise again this winter.",
    "{P} arrived in {C} after a short visit to {D}.",
    "According to the {O}, aid convoys reached {D} late on Sunday.",
    "In a statement, {P} praised the \"constructive\" role of {K}.",
    "Markets in {C} fell sharply after {Q} announced new tariffs.",
    "Diplomats said {K} and the {O} had agreed on a ceasefire plan.",
    "Nothing of note happened in the afternoon session.",
    "{Q} told reporters in {D} that the talks were\tdifficult but useful.",
]
AR = [
    "التقى {P} مع {Q} في {C} يوم الثلاثاء لبحث الأزمة في {K}.",
    "قال مسؤولون من {K} و{L} إن المحادثات في {C} ستستأنف الأسبوع المقبل.",
    "حذرت {O} من ارتفاع أسعار الغذاء في {K} خلال الشتاء.",
    "وصل {P} إلى {C} بعد زيارة قصيرة إلى {D}.",
    "وبحسب {O}، وصلت قوافل المساعدات إلى {D} مساء الأحد.",
    "وأشاد {P} في بيان بالدور «البنّاء» الذي تؤديه {K}.",
    "تراجعت الأسواق في {C} بعد أن أعلن {Q} عن رسوم جديدة.",
    "وقال دبلوماسيون إن {K} و{O} اتفقتا على خطة لوقف إطلاق النار.",
    "لم يحدث شيء يذكر في جلسة بعد الظهر.",
    "أكد {Q} للصحفيين في {D} أن المحادثات كانت صعبة لكنها مفيدة.",
]
TITLES_EN = ["{P} visits {C}", "Talks on {K} in {C}", "{O} report on {K}", "Markets update"]
TITLES_AR = ["{P} يزور {C}", "محادثات حول {K} في {C}", "تقرير {O} عن {K}", "أخبار الأسواق"]


def fill(rng, template, lang):
    i = 1 if lang == "ar" else 0
    p, q = rng.sample(PEOPLE, 2)
    k, l = rng.sample(COUNTRIES, 2)
    c, d = rng.sample(CITIES, 2)
    o = rng.choice(ORGS)
    return template.format(P=p[i], Q=q[i], K=k[i], L=l[i], C=c[i], D=d[i], O=o[i])


def document(rng, lang):
    sentences = AR if lang == "ar" else EN
    paragraphs = []
    for _ in range(rng.randint(1, 4)):
        n = rng.randint(1, 4)
        paragraphs.append(" ".join(fill(rng, rng.choice(sentences), lang) for _ in range(n)))
    title = fill(rng, rng.choice(TITLES_AR if lang == "ar" else TITLES_EN), lang)
    return title, "\n\n".join(paragraphs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--missing-id-every", type=int, default=0)
    ap.add_argument("--broken-at", type=int, action="append", default=[], help="repeatable")
    ap.add_argument(
        "--clean", action="store_true", help="no empty document nor record without text"
    )
    a = ap.parse_args()
    rng = random.Random(a.seed)
    with open(a.out, "w", encoding="utf-8", newline="\n") as f:
        for line in range(1, a.n + 1):
            lang = "ar" if rng.random() < 0.5 else "en"
            title, text = document(rng, lang)
            rec = {"id": f"{lang}-{line:06d}", "lang": lang, "title": title, "text": text}
            # A date from the line number alone (the random draws stay as
            # they were): 150 days from 2024-01-01, as ISO dates with an
            # offset, RFC 2822 or day-first; none every 61st line, one that
            # does not parse every 89th.
            day = datetime.date(2024, 1, 1) + datetime.timedelta(days=(line * 37) % 150)
            rec["published"] = [
                day.isoformat() + "T23:30:00-05:00",
                day.strftime("%a, %d %b %Y 08:00:00 +0300"),
                day.strftime("%d/%m/%Y"),
            ][line % 3]
            if line % 61 == 0:
                del rec["published"]
            if line % 89 == 0:
                rec["published"] = "soon"
            if a.missing_id_every and line % a.missing_id_every == 0:
                del rec["id"]
            if line % 997 == 0 and not a.clean:
                rec["text"] = ""  # an empty document: a warning
                rec["title"] = ""
            if line % 1499 == 0 and not a.clean:
                del rec["text"]  # no text field: an error record
                del rec["title"]
            if line in a.broken_at:
                f.write('{"id": "broken-%d", "text": "unterminated\n' % line)
                continue
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
