#include "pdf_catalog.h"

#define POINTERHOLDER_TRANSITION 4  // qpdf 11: std::shared_ptr everywhere
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>

#include <exception>

namespace casepack::render_detail {

bool FinishPdfCatalog(const std::string& pdf, const std::string& lang, std::string& out) {
  try {
    QPDF q;
    q.setSuppressWarnings(true);
    q.processMemoryFile("report.pdf", pdf.data(), pdf.size());
    QPDFObjectHandle root = q.getRoot();
    root.replaceKey("/Lang", QPDFObjectHandle::newUnicodeString(lang));
    // cairo 1.16 writes the structure tree but not the flag that says the document is tagged.
    QPDFObjectHandle mark = QPDFObjectHandle::newDictionary();
    mark.replaceKey("/Marked", QPDFObjectHandle::newBool(true));
    root.replaceKey("/MarkInfo", mark);
    QPDFObjectHandle prefs = QPDFObjectHandle::newDictionary();
    prefs.replaceKey("/DisplayDocTitle", QPDFObjectHandle::newBool(true));
    root.replaceKey("/ViewerPreferences", prefs);
    QPDFWriter w(q);
    w.setOutputMemory();
    w.setDeterministicID(true);
    // Copy cairo's streams as they are: decoding and recompressing them would double the time.
    w.setDecodeLevel(qpdf_dl_none);
    w.setStreamDataMode(qpdf_s_preserve);
    w.setObjectStreamMode(qpdf_o_preserve);
    w.write();
    auto buffer = w.getBufferSharedPointer();
    out.assign(reinterpret_cast<const char*>(buffer->getBuffer()), buffer->getSize());
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace casepack::render_detail
