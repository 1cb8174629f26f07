#include "worker.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QSemaphore>

namespace casepack::desktop {

SessionWorker::SessionWorker(QObject* parent) : QObject(parent) {
  thread_.setObjectName("casepack-session");
  context_ = new QObject;
  context_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, context_, &QObject::deleteLater);
  thread_.start();
}

SessionWorker::~SessionWorker() {
  Submit([](std::unique_ptr<DesktopSession>& s) { s.reset(); });
  WaitIdle();
  thread_.quit();
  thread_.wait();
}

void SessionWorker::Submit(std::function<void(std::unique_ptr<DesktopSession>&)> job) {
  if (pending_.fetch_add(1) == 0) emit idleChanged(false);
  QMetaObject::invokeMethod(context_, [this, job = std::move(job)]() mutable {
    job(session_);
    if (pending_.fetch_sub(1) == 1) QMetaObject::invokeMethod(this, [this] { if (pending_.load() == 0) emit idleChanged(true); }, Qt::QueuedConnection);
  }, Qt::QueuedConnection);
}

void SessionWorker::PostToUi(const QPointer<QObject>& receiver, std::function<void()> fn) {
  QObject* target = receiver ? receiver.data() : this;
  QMetaObject::invokeMethod(target, std::move(fn), Qt::QueuedConnection);
}

void SessionWorker::WaitIdle() {
  QSemaphore done;
  Submit([&done](std::unique_ptr<DesktopSession>&) { done.release(); });
  done.acquire();
}

}  // namespace casepack::desktop
