#!/usr/bin/python3
"""The window's Welsh catalogue is complete and current (docs/desktop.md, "Cymraeg and English").

1. Every message of desktop/translations/casepack_cy.ts has a Welsh translation (none unfinished or empty)
   that keeps the source's placeholders (%1, %2) and, for menu and button texts, an accelerator (&).
2. lupdate run afresh over the window's sources finds exactly the committed messages: a new string in the
   code without a translation fails, and so does a translation nothing uses any more.
3. No user-visible text is passed to Qt without tr(): literals given straight to setText, setToolTip,
   addTab, QLabel, ShowProblem and the like fail (the product name and the language names excepted).
Usage: translations_test.py SOURCE_DIR LUPDATE
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

SOURCE, LUPDATE = sys.argv[1:3]
TS = os.path.join(SOURCE, "desktop", "translations", "casepack_cy.ts")


def messages(path):
    out = {}
    for c in ET.parse(path).getroot().findall("context"):
        name = c.find("name").text
        for m in c.findall("message"):
            tr = m.find("translation")
            out[(name, m.find("source").text)] = (tr.text or "", tr.get("type"))
    return out


class Translations(unittest.TestCase):
    def test_every_message_has_welsh(self):
        msgs = messages(TS)
        self.assertGreater(len(msgs), 300)
        for (ctx, src), (cy, kind) in msgs.items():
            with self.subTest(context=ctx, source=src):
                self.assertIsNone(kind, "unfinished or obsolete")
                self.assertTrue(cy.strip(), "no Welsh")
                self.assertEqual(sorted(re.findall(r"%\d", src)), sorted(re.findall(r"%\d", cy)), "placeholders")
                if re.search(r"&[^ &]", src):
                    self.assertRegex(cy, r"&[^ &]", "an accelerator")

    def test_catalogue_matches_the_sources(self):
        tmp = tempfile.mkdtemp(prefix="casepack-ts-")
        try:
            fresh = os.path.join(tmp, "casepack_cy.ts")
            shutil.copy(TS, fresh)
            r = subprocess.run([LUPDATE, "-no-obsolete", "-locations", "none", os.path.join(SOURCE, "desktop", "src"),
                                os.path.join(SOURCE, "desktop", "platform"), os.path.join(SOURCE, "desktop", "main.cpp"),
                                "-ts", fresh], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            before, after = set(messages(TS)), messages(fresh)
            self.assertEqual(sorted(set(after) - before), [], "strings in the code with no Welsh translation yet "
                             "(run cmake --build … --target casepack_desktop_gui_lupdate and translate them)")
            self.assertEqual(sorted(before - set(after)), [], "translations nothing uses any more")
            for key, (cy, kind) in after.items():
                self.assertIsNone(kind, key)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_no_user_visible_literal_bypasses_tr(self):
        visible = {"setText", "setToolTip", "setPlaceholderText", "setAccessibleName", "setWindowTitle", "addTab",
                   "addMenu", "addRow", "addItem", "addItems", "ShowProblem", "ShowError", "SetStatus", "SetBusy",
                   "failed", "QLabel", "QPushButton", "QDockWidget", "QMessageBox", "getText", "addButton", "add",
                   "Button", "Field", "Choice", "MakeTable", "TablePage", "Titled", "AddEditor"}
        # The product's name, file names offered as defaults, markup around user text, object names and machine
        # keys of choices (their labels are translated).
        allowed = {"&casepack", "<b>casepack</b>", "casepack", "report.html", "case-pack.age", "comments",
                   "<span style='font-size:large'>", "</span>", "New attendee status", "Feedback barriers", "yes", "no",
                   "Referral decision", "referred", "not-referred", "Referral reason", "Stuck case kind", "Member kind",
                   "Family awareness", "Action reported to"}
        bad = []
        for root, _, files in os.walk(os.path.join(SOURCE, "desktop")):
            for f in files:
                if f.endswith(".cpp"):
                    with open(os.path.join(root, f), encoding="utf-8") as fh:
                        bad += [f"{f}: {lit}" for lit in untranslated(fh.read(), visible, allowed)]
        self.maxDiff = None
        self.assertEqual(bad, [])


def untranslated(text, visible, allowed):
    """String literals that are the direct argument of a call in `visible`: each literal's innermost open
    call is found by scanning back over balanced parentheses (comments and char literals skipped)."""
    out, stack, i = [], [], 0
    while i < len(text):
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = len(text) if i < 0 else i
            continue
        if text.startswith("/*", i):
            i = text.find("*/", i) + 2
            continue
        if c == "'":
            j = i + 1
            while text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            lit = text[i + 1:j]
            call = stack[-1] if stack else ""
            if call in visible and re.search(r"[A-Za-z]{2}", lit) and lit not in allowed:
                out.append(lit)
            i = j + 1
            continue
        if c == "(":
            m = re.search(r"([A-Za-z_][A-Za-z_0-9]*)\s*(?:<[^<>]*>)?\s*$", text[max(0, i - 80):i])
            stack.append(m.group(1) if m else "")
        elif c == ")" and stack:
            stack.pop()
        i += 1
    return out

if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
