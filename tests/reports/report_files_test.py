#!/usr/bin/python3
"""Reports people exchange, checked with the tools a reader has: poppler (pdfinfo, pdffonts, pdftotext,
pdftoppm), pikepdf (the structure tree), python-docx, LibreOffice (DOCX -> PDF) and the age CLI.

Drives the real casepack binary on a throwaway store built by fixture.sh (dates derived from today).
Writes page 1 of each report and of the feedback form as PNG into SCREENSHOT_DIR for a person to look at.
Usage: report_files_test.py CASEPACK FIXTURE_SH SCREENSHOT_DIR
"""
import collections
import datetime
from html import unescape
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import docx
import pikepdf

CASEPACK, FIXTURE, SHOTS = sys.argv[1:4]
WELSH = ["ŵ", "ŷ", "ï", "â"]
FEEDBACK_MARKERS = ["FEEDBACK-ANSWER-ONE", "FEEDBACK-ANSWER-TWO", "FEEDBACK-ANSWER-THREE"]


def run(args, check=True, env=None, cwd=None):
    r = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd)
    if check and r.returncode != 0:
        raise AssertionError(f"{args} failed ({r.returncode}): {r.stderr}")
    return r


class Reports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="casepack-reports-")
        os.makedirs(SHOTS, exist_ok=True)
        out = run([FIXTURE, CASEPACK, cls.tmp, "12"]).stdout.strip().splitlines()[-1]
        cls.ids = dict(kv.split("=") for kv in out.split())
        cls.files = {}
        for kind in ("MAS", "MAPF", "MAPM"):
            for fmt in ("pdf", "docx", "md", "html"):
                path = os.path.join(cls.tmp, f"{kind.lower()}.{fmt}")
                cls.cli(["report", cls.ids[kind], "--format", fmt, "-o", path])
                cls.files[(kind, fmt)] = path
        for fmt in ("pdf", "docx"):
            path = os.path.join(cls.tmp, f"feedback.{fmt}")
            cls.cli(["report", cls.ids["MAS"], "--feedback", "--format", fmt, "-o", path])
            cls.files[("feedback", fmt)] = path
        # Welsh (--lang cy) and bilingual (Welsh first) in every format (docs/labels.md).
        for lang, before, after in (("cy", ["--lang", "cy"], []), ("both", [], ["--bilingual"])):
            for fmt in ("pdf", "docx", "md", "html"):
                path = os.path.join(cls.tmp, f"mas-{lang}.{fmt}")
                cls.cli(before + ["report", cls.ids["MAS"], "--format", fmt, "-o", path] + after)
                cls.files[(f"MAS-{lang}", fmt)] = path

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def cli(cls, args, check=True, env=None):
        env = dict(env or os.environ)
        for v in ("LC_ALL", "LC_MESSAGES"):
            env.pop(v, None)
        env["LANG"] = "C.UTF-8"  # English unless a test says --lang: the runner's locale must not matter
        base = [CASEPACK, "--store", os.path.join(cls.tmp, "store"), "--passphrase-file", os.path.join(cls.tmp, "pass")]
        return run(base + args, check=check, env=env)

    def text(self, pdf):
        """The PDF's text with line breaks and runs of spaces as one space (text wraps where it fits)."""
        return " ".join(run(["pdftotext", pdf, "-"]).stdout.split())

    # ---- PDF ----

    def test_pdf_is_a4_tagged_and_paged(self):
        for key in [("MAS", "pdf"), ("MAPF", "pdf"), ("MAPM", "pdf"), ("feedback", "pdf")]:
            info = run(["pdfinfo", self.files[key]]).stdout
            self.assertIn("Tagged:          yes", info, key)
            self.assertRegex(info, r"Page size:\s+595\.27\d x 841\.89 pts \(A4\)")
            pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
            text = self.text(self.files[key])
            self.assertIn(f"Page 1 of {pages}", text)
            self.assertIn(f"Page {pages} of {pages}", text)
            self.assertGreaterEqual(text.count("OFFICIAL-SENSITIVE"), 2 * pages, "marking in header and footer")

    def test_every_font_embedded(self):
        for key in [("MAS", "pdf"), ("MAPF", "pdf"), ("feedback", "pdf")]:
            rows = run(["pdffonts", self.files[key]]).stdout.splitlines()[2:]
            self.assertTrue(rows)
            for row in rows:
                cols = row.split()
                # name type... emb sub uni object ID: emb/sub are the 5th/4th from the end
                self.assertEqual(cols[-5], "yes", f"not embedded: {row}")
                self.assertEqual(cols[-4], "yes", f"not subset: {row}")

    def test_pdf_text_has_every_section_and_welsh_letters(self):
        mas = self.text(self.files[("MAS", "pdf")])
        for heading in ["1. Date of MAS event", "2. Did all relevant workers attend?", "3. Record of discussion",
                        "4. Facilitator's comments / observations", "Actions agreed", "5. Return of this report",
                        "Date returned to Business Unit", "Signatures", "Annex: chronology", "Story of the case so far"]:
            self.assertIn(heading, mas)
        for letter in WELSH:
            self.assertIn(letter, mas, letter)
        self.assertIn("Tŷ Newydd", mas)
        self.assertIn("Llanŵst", mas)
        self.assertRegex(mas, r"MAS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
        self.assertNotIn(self.ids["MAS"], mas, "the hex id is not a case reference for people")
        mapf = self.text(self.files[("MAPF", "pdf")])
        for heading in ["Participants", "Learning", "Merged multi-agency timeline", "Action plan", "Event 12:"]:
            self.assertIn(heading, mapf)
        mapm = self.text(self.files[("MAPM", "pdf")])
        for heading in ["1. Date, time and venue", "Distribution", "Review tenancy support"]:
            self.assertIn(heading.split(",")[0], mapm)

    def test_mapm_minutes_carry_chair_family_distribution_and_reviews(self):
        # Issue 16 (002 §5-§10), in the PDF and in the Word file as a reader opens them.
        mapm = " ".join(self.text(self.files[("MAPM", "pdf")]).split())
        d = docx.Document(self.files[("MAPM", "docx")])
        words = " ".join([p.text for p in d.paragraphs] +
                         [c.text for t in d.tables for r in t.rows for c in r.cells])
        for body in (mapm, " ".join(words.split())):
            for s in ["Chair", "Rhian Lewis (Health)", "Minute-taker", "Owain Rees (Housing)", "14:30",
                      "The child and family", "Agreed to the meeting", "Lead practitioner (Housing)",
                      "Reviews of the action plan", "Tenancy secure", "more than three months after"]:
                self.assertIn(s, body)

    def test_structure_tree(self):
        for key, need in [(("MAS", "pdf"), {"H1", "H2", "H3", "P", "Table", "TR", "TH", "TD", "L", "LI"}),
                          (("feedback", "pdf"), {"H1", "H2", "P", "Table", "TR", "TH", "TD"})]:
            with pikepdf.open(self.files[key]) as pdf:
                self.assertEqual(str(pdf.Root.Lang), "en-GB")
                self.assertTrue(bool(pdf.Root.MarkInfo.Marked))
                seen = collections.Counter()

                def walk(e):
                    if "/S" in e:
                        seen[str(e.S)[1:]] += 1
                    k = e.get("/K")
                    kids = k if isinstance(k, pikepdf.Array) else [k]
                    for c in kids:
                        if isinstance(c, pikepdf.Dictionary):
                            walk(c)

                walk(pdf.Root.StructTreeRoot)
                self.assertTrue(need <= set(seen), f"{key}: missing {need - set(seen)} in {dict(seen)}")
                self.assertEqual(seen["H1"], 1)

    def test_summary_holds_no_feedback(self):
        for fmt in ("md", "html"):
            with open(self.files[("MAS", fmt)], encoding="utf-8") as f:
                body = f.read()
            for marker in FEEDBACK_MARKERS:
                self.assertNotIn(marker, body, fmt)
        mas = self.text(self.files[("MAS", "pdf")])
        words = " ".join(p.text for p in docx.Document(self.files[("MAS", "docx")]).paragraphs)
        for marker in FEEDBACK_MARKERS:
            self.assertNotIn(marker, mas)
            self.assertNotIn(marker, words)
        fb = self.text(self.files[("feedback", "pdf")])
        for marker in FEEDBACK_MARKERS:
            self.assertIn(marker, fb)
        self.assertIn("Business Unit only", fb)

    def test_mas_summary_corrections(self):
        mas = self.text(self.files[("MAS", "pdf")])
        self.assertEqual(mas.count("Attendance not recorded"), 0)
        self.assertEqual(mas.count("Signature"), 3, "Signatures heading + one line per facilitator (two)")
        self.assertEqual(mas.count("Name (print)"), 2)
        self.assertNotIn("Signed", mas, "no typed names in place of signatures")
        self.assertIn("Date returned to Business Unit", mas)

    def test_process_around_the_event(self):
        # Issue 16: the MAS referral, meetings, writer, papers and actions reported back; the MAPF planning
        # group, agreements and the 001 action plan — in the PDF and in the Word file.
        mas_docx = docx.Document(self.files[("MAS", "docx")])
        mas_words = "\n".join(p.text for p in mas_docx.paragraphs) + "".join(
            c.text for t in mas_docx.tables for r in t.rows for c in r.cells)
        for mas in (self.text(self.files[("MAS", "pdf")]), mas_words):
            for s in ["The MAS process", "Reason for referral", "regular split decisions",
                      "PROCESS-DETAIL", "Facilitators' meeting before the event", "Summary Report completed by",
                      "Papers for the facilitators", "missing", "Actions reported back", "line managers"]:
                self.assertIn(s, mas)
        # The action's target date (fixture.sh: today + 60 days) whole in its narrow column, not broken.
        target = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=60)).strftime("%d/%m/%Y")
        mapf_docx = docx.Document(self.files[("MAPF", "docx")])
        header_rows = [[c.text for c in t.rows[0].cells] for t in mapf_docx.tables]
        self.assertIn(["No.", "Recommendation and action", "Rationale", "Intended outcome", "Measure of success",
                       "Progress", "Owner", "Target date", "Status"], header_rows)
        mapf_words = "\n".join(p.text for p in mapf_docx.paragraphs) + "".join(
            c.text for t in mapf_docx.tables for r in t.rows for c in r.cells)
        for mapf in (self.text(self.files[("MAPF", "pdf")]), mapf_words):
            for s in ["Referral route", "Planning group", "Dyfed-Powys Police", "Ysgol Bro Tâf", "Audit of ten",
                      "Share chronologies", target, "Agreed by every agency"]:
                self.assertIn(s, mapf)

    def test_nothing_outside_the_page(self):
        # pdftotext -bbox: every word inside the page margins (long questions, tables and lines wrap).
        for key in [("MAS", "pdf"), ("MAPF", "pdf"), ("MAPM", "pdf"), ("feedback", "pdf")]:
            xml = run(["pdftotext", "-bbox", self.files[key], "-"]).stdout
            for m in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', xml):
                x0, y0, x1, y1 = map(float, m.groups()[:4])
                self.assertGreaterEqual(x0, 50, m.group(5))
                self.assertLessEqual(x1, 595.28 - 50, f"{key}: '{m.group(5)}' runs off the page at x={x1}")
                self.assertLessEqual(y1, 841.89 - 20, m.group(5))

    # ---- Word ----

    def test_docx_headings_tables_and_page_fields(self):
        d = docx.Document(self.files[("MAS", "docx")])
        headings = [(p.style.name, p.text) for p in d.paragraphs if p.style.name.startswith("Heading")]
        self.assertEqual(headings[0][0], "Heading 1")
        self.assertIn(("Heading 2", "1. Date of MAS event"), headings)
        self.assertIn(("Heading 3", "Story of the case so far"), headings)
        header_rows = [[c.text for c in t.rows[0].cells] for t in d.tables]
        self.assertIn(["Agency", "Role", "Name", "Status", "Reason"], header_rows)
        self.assertIn(["No.", "Action", "Owner", "Due", "Status"], header_rows)
        section = d.sections[0]
        self.assertEqual((section.page_width, section.page_height), (7560310, 10692130))  # A4
        footer_xml = section.footer._element.xml
        self.assertIn("PAGE", footer_xml)
        self.assertIn("NUMPAGES", footer_xml)
        self.assertIn("OFFICIAL-SENSITIVE", section.header._element.xml)
        self.assertIn("OFFICIAL-SENSITIVE", footer_xml)
        text = "\n".join(p.text for p in d.paragraphs)
        for letter in WELSH:
            self.assertIn(letter, text + "".join(c.text for t in d.tables for r in t.rows for c in r.cells))

    def test_libreoffice_opens_the_docx(self):
        # One conversion: LibreOffice takes seconds to start.
        out = os.path.join(self.tmp, "lo")
        env = dict(os.environ, HOME=os.path.join(self.tmp, "lo-home"))
        run(["soffice", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", out,
             self.files[("MAS", "docx")]], env=env)
        pdf = os.path.join(out, "mas.pdf")
        text = self.text(pdf)
        for heading in ["1. Date of MAS event", "3. Record of discussion", "Actions agreed", "Signatures"]:
            self.assertIn(heading, text)
        for letter in WELSH:
            self.assertIn(letter, text)
        self.assertIn("Page 1 of", text)
        info = run(["pdfinfo", pdf]).stdout
        self.assertRegex(info, r"Page size:\s+595\.\d+ x 841\.89 pts \(A4\)")
        run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", pdf,
             os.path.join(SHOTS, "mas-summary-docx-via-libreoffice")])

    # ---- Welsh and bilingual ----

    WELSH_HEADINGS = ["1. Dyddiad y digwyddiad MAS", "2. A ddaeth pob gweithiwr perthnasol?", "3. Cofnod o'r drafodaeth",
                      "Camau gweithredu a gytunwyd", "5. Dychwelyd yr adroddiad hwn", "Llofnodion"]
    WELSH_DATE = (r"Dydd (Llun|Mawrth|Mercher|Iau|Gwener|Sadwrn|Sul) \d{1,2} (Ionawr|Chwefror|Mawrth|Ebrill|Mai|"
                  r"Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr) \d{4}")

    def test_welsh_report_in_every_format(self):
        pdf = self.text(self.files[("MAS-cy", "pdf")])
        words = "\n".join(p.text for p in docx.Document(self.files[("MAS-cy", "docx")]).paragraphs)
        with open(self.files[("MAS-cy", "md")], encoding="utf-8") as f:
            md = f.read()
        with open(self.files[("MAS-cy", "html")], encoding="utf-8") as f:
            html = f.read()
        for name, body in (("pdf", pdf), ("docx", words), ("md", md.replace("\\", "")), ("html", unescape(html))):
            for heading in self.WELSH_HEADINGS:
                self.assertIn(heading, body, name)
            self.assertRegex(body, self.WELSH_DATE, name)
            self.assertNotIn("Date of MAS event", body, name)
        self.assertIn("Tudalen 1 o", pdf)
        self.assertIn("SWYDDOGOL-SENSITIF", pdf)
        with pikepdf.open(self.files[("MAS-cy", "pdf")]) as p:
            self.assertEqual(str(p.Root.Lang), "cy-GB")
        self.assertIn('<html lang="cy-GB">', html)
        styles = docx.Document(self.files[("MAS-cy", "docx")]).styles.element.xml
        self.assertIn('w:val="cy-GB"', styles)

    def test_bilingual_tags_each_english_element(self):
        with pikepdf.open(self.files[("MAS-both", "pdf")]) as pdf:
            self.assertEqual(str(pdf.Root.Lang), "cy-GB")
            order = []  # (tag, /Lang) in document order

            def walk(e):
                if "/S" in e:
                    order.append((str(e.S)[1:], str(e.Lang) if "/Lang" in e else ""))
                k = e.get("/K")
                for c in (k if isinstance(k, pikepdf.Array) else [k]):
                    if isinstance(c, pikepdf.Dictionary):
                        walk(c)

            walk(pdf.Root.StructTreeRoot)
            h1 = [i for i, (tag, _) in enumerate(order) if tag == "H1"]
            self.assertEqual(len(h1), 2, "a Welsh title and an English one")
            welsh, english = order[:h1[1]], order[h1[1]:]
            self.assertTrue(all(lang == "" for _, lang in welsh), "the Welsh half is in the document's language")
            self.assertTrue(all(lang == "en-GB" for _, lang in english), "every English element says so")
            self.assertGreater(len(english), 50)
        text = self.text(self.files[("MAS-both", "pdf")])
        self.assertLess(text.index("1. Dyddiad y digwyddiad MAS"), text.index("1. Date of MAS event"), "Welsh first")
        self.assertIn("SWYDDOGOL-SENSITIF / OFFICIAL-SENSITIVE", text)
        # Word: the English half's runs carry w:lang en-GB, the Welsh half's none (the default is cy-GB).
        d = docx.Document(self.files[("MAS-both", "docx")])
        langs = {}
        for para in d.paragraphs:
            for r in para.runs:
                el = r._element.find(".//{http://schemas.openxmlformats.org/wordprocessingml/2006/main}lang")
                langs[para.text] = None if el is None else el.get(
                    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
        self.assertEqual(langs.get("1. Date of MAS event"), "en-GB")
        self.assertIsNone(langs.get("1. Dyddiad y digwyddiad MAS"))
        with open(self.files[("MAS-both", "html")], encoding="utf-8") as f:
            html = f.read()
        self.assertIn('<h2 lang="en-GB">1. Date of MAS event</h2>', html)
        self.assertIn("<h2>1. Dyddiad y digwyddiad MAS</h2>", html)

    # ---- screenshots ----

    def test_screenshots(self):
        os.makedirs(SHOTS, exist_ok=True)
        for key, name in [(("MAS", "pdf"), "mas-summary"), (("MAPF", "pdf"), "mapf-report"),
                          (("MAPM", "pdf"), "mapm-minutes"), (("feedback", "pdf"), "mas-feedback"),
                          (("MAS-cy", "pdf"), "mas-summary-cy")]:
            base = os.path.join(SHOTS, name)
            run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", self.files[key], base])
            self.assertGreater(os.path.getsize(base + ".png"), 10000)

    # ---- bad input: one clear line, nothing written ----

    def test_missing_font(self):
        out = os.path.join(self.tmp, "nofont.pdf")
        env = dict(os.environ, CASEPACK_REPORT_FONT="No Such Font Family")
        r = self.cli(["report", self.ids["MAS"], "--format", "pdf", "-o", out], check=False, env=env)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"^casepack: error: font 'No Such Font Family' is not installed\n")
        self.assertFalse(os.path.exists(out))
        self.assertFalse(any(n.startswith("nofont") for n in os.listdir(self.tmp)))

    def test_unwritable_output(self):
        out = os.path.join(self.tmp, "no-such-dir", "r.pdf")
        r = self.cli(["report", self.ids["MAS"], "--format", "pdf", "-o", out], check=False)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("casepack: error: cannot write"), r.stderr)
        self.assertEqual(r.stderr.count("error:"), 1)

    def test_purged_case(self):
        day = run(["date", "-u", "-d", "-130 days", "+%F"]).stdout.strip()
        meeting = run(["date", "-u", "-d", "-131 days", "+%F"]).stdout.strip()
        # Minutes go out after the meeting (dates that cannot be right are refused): move both back, and
        # clear the dates the fixture's review set (its next review would keep the case).
        self.cli(["case", "set", self.ids["MAPM"], "--date", f"meeting={meeting}", "--date", f"minutes-sent={day}",
                  "--clear-date", "last-action-plan-review", "--clear-date", "next-review"])
        out = os.path.join(self.tmp, "purged.pdf")
        r = self.cli(["report", self.ids["MAPM"], "--format", "pdf", "-o", out], check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, r"casepack: error: case [0-9a-f]+ was purged on ")
        self.assertFalse(os.path.exists(out))

    # ---- the report's journey ----

    def test_report_only_pack_and_recipients(self):
        key = os.path.join(self.tmp, "sw.key")
        run(["age-keygen", "-o", key])
        recipient = run(["age-keygen", "-y", key]).stdout.strip()
        listed = self.cli(["report", "recipients", self.ids["MAS"]]).stdout
        for who in ("social-worker", "conference-chair", "business-unit"):
            self.assertIn(who, listed)
        pack = os.path.join(self.tmp, "to-sw.age")
        sent = self.cli(["report", "send", self.ids["MAS"], "--recipient", "social-worker", "--to", recipient,
                         "--from", "Business Unit", "-o", pack]).stdout
        self.assertIn("recorded as sent", sent)
        tar = subprocess.run(["age", "-d", "-i", key, pack], capture_output=True, check=True).stdout
        names = subprocess.run(["tar", "tf", "-"], input=tar, capture_output=True, check=True).stdout.decode().split()
        self.assertEqual(sorted(names), ["manifest.json", "report.pdf"])
        xdir = os.path.join(self.tmp, "x")
        os.makedirs(xdir)
        subprocess.run(["tar", "xf", "-", "-C", xdir], input=tar, check=True)
        self.assertIn("Tagged:          yes", run(["pdfinfo", os.path.join(xdir, "report.pdf")]).stdout)
        for marker in FEEDBACK_MARKERS:
            self.assertNotIn(marker, self.text(os.path.join(xdir, "report.pdf")))
        with open(os.path.join(xdir, "manifest.json"), encoding="utf-8") as f:
            manifest = f.read()
        self.assertIn('"documents": []', manifest)
        self.assertNotIn('"notes"', manifest)

        listed = self.cli(["report", "recipients", self.ids["MAS"], "--json"]).stdout
        self.assertRegex(listed, r'"key": "social-worker",\s*"name": "[^"]+",\s*"role": "social-worker",\s*"sent_on": "\d{4}-\d\d-\d\d"')
        deadlines = self.cli(["deadlines"]).stdout
        self.assertRegex(deadlines, r"done\s+\S+\s+Report to Child's social worker")
        self.assertRegex(deadlines, r"due\s+\S+\s+Report to Safeguarding Board Business Unit")

        bad = self.cli(["report", "send", self.ids["MAS"], "--recipient", "nobody", "--to", recipient,
                        "--from", "BU", "-o", os.path.join(self.tmp, "bad.age")], check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("no recipient 'nobody'", bad.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "bad.age")))

    def test_report_only_pack_in_welsh_and_bilingual(self):
        key = os.path.join(self.tmp, "cy.key")
        run(["age-keygen", "-o", key])
        recipient = run(["age-keygen", "-y", key]).stdout.strip()

        def report_in_pack(lang, *send_options):
            pack = os.path.join(self.tmp, "pack-%s%d.age" % (lang, len(send_options)))
            self.cli(["--lang", lang, "report", "send", self.ids["MAS"], "--recipient", "social-worker", "--to", recipient,
                      "--from", "Business Unit", "--format", "md", "-o", pack, *send_options])
            tar = subprocess.run(["age", "-d", "-i", key, pack], capture_output=True, check=True).stdout
            xdir = pack + ".x"
            os.makedirs(xdir)
            subprocess.run(["tar", "xf", "-", "-C", xdir], input=tar, check=True)
            with open(os.path.join(xdir, "report.md"), encoding="utf-8") as f:
                return f.read()

        cy = report_in_pack("cy")
        self.assertIn("Dyddiad y digwyddiad MAS", cy)
        self.assertNotIn("Date of MAS event", cy)
        both = report_in_pack("en", "--bilingual")
        self.assertLess(both.index("Dyddiad y digwyddiad MAS"), both.index("Date of MAS event"))
        en = report_in_pack("en")
        self.assertIn("Date of MAS event", en)
        self.assertNotIn("Dyddiad y digwyddiad MAS", en)

if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
