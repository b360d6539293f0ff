#!/usr/bin/python3
# Writes encrypted.xls: a one-sheet workbook saved by LibreOffice as
# "MS Excel 97" with the password "x" (RC4 CryptoAPI; FILEPASS record), and
# velvetsweatshop.xls, the same saved with Excel's default password
# "VelvetSweatshop" (a protected workbook Excel opens without asking).
# soffice --convert-to cannot set a password, so this drives LibreOffice
# through UNO. Needs the system python3 with python3-uno (part of the
# libreoffice packages). Usage: /usr/bin/python3 make_encrypted.py
import os, shutil, subprocess, tempfile, time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


here = os.path.dirname(os.path.abspath(__file__))
profile = tempfile.mkdtemp(prefix="lo-encrypted-")
port = 2299
office = subprocess.Popen([
    "soffice", "--headless", "--norestore", "--nologo",
    "-env:UserInstallation=file://" + profile,
    "--accept=socket,host=localhost,port=%d;urp;" % port,
])
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve("uno:socket,host=localhost,port=%d;urp;StarOffice.ComponentContext" % port)
            break
        except Exception:
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
    sheet = doc.Sheets.getByIndex(0)
    sheet.getCellByPosition(0, 0).setString("Thôn Nà Rì")
    sheet.getCellByPosition(1, 0).setValue(-12.25)
    for name, password in (("encrypted.xls", "x"), ("velvetsweatshop.xls", "VelvetSweatshop")):
        doc.storeToURL("file://" + os.path.join(here, name),
                       (prop("FilterName", "MS Excel 97"), prop("Password", password)))
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass
finally:
    try:
        office.wait(timeout=30)
    except subprocess.TimeoutExpired:
        office.kill()
    shutil.rmtree(profile, ignore_errors=True)
