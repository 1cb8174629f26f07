// The session's own thread. Every call into DesktopSession (unlock, saves, sync, reports) runs here, one
// at a time, in the order submitted, so the UI thread never waits for Argon2id, SQLCipher or the network
// and the session is never used by two threads at once (its documented rule). Results come back to the
// UI thread as queued calls on a receiver; if the receiver is gone by then, the result is dropped.
#pragma once

#include <QObject>
#include <QPointer>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>

#include "session.h"

namespace casepack::desktop {

class SessionWorker : public QObject {
  Q_OBJECT
 public:
  explicit SessionWorker(QObject* parent = nullptr);
  ~SessionWorker() override;  // finishes queued jobs (saves), wipes the session, joins the thread

  // Runs `job` on the session thread. `job` gets the session slot: null while locked; it may fill it
  // (unlock) or reset it (lock).
  void Submit(std::function<void(std::unique_ptr<DesktopSession>&)> job);

  // Runs `job(session)` on the session thread (skipped while locked), then `done(result)` on the UI
  // thread if `receiver` still exists.
  template <typename Job, typename Done>
  void Call(QObject* receiver, Job job, Done done) {
    QPointer<QObject> guard(receiver);
    Submit([this, guard, job = std::move(job), done = std::move(done)](std::unique_ptr<DesktopSession>& s) mutable {
      if (!s) return;
      auto result = job(*s);
      PostToUi(guard, [guard, done = std::move(done), result = std::move(result)]() mutable {
        if (guard) done(std::move(result));
      });
    });
  }

  // Runs `fn` on the UI thread (the receiver's), unless the receiver is gone by then.
  void PostToUi(const QPointer<QObject>& receiver, std::function<void()> fn);

  // Blocks the caller until every job submitted so far has run (tests, and the last save at exit).
  void WaitIdle();
  // Jobs submitted and not finished: the "saving…" state.
  int pending() const { return pending_.load(); }

 signals:
  void idleChanged(bool idle);
  // A change could not be saved (emitted by whoever submitted it, even if its view has gone since).
  void changeFailed(const QString& message);

 private:
  QThread thread_;
  QObject* context_ = nullptr;  // lives in thread_
  std::unique_ptr<DesktopSession> session_;  // touched only on thread_
  std::atomic<int> pending_{0};
};

}  // namespace casepack::desktop
