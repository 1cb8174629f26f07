// One helper thread that runs jobs in submission order (private to crypto/): the age payload's and a
// blob's cryptography overlap the caller's reading and hashing.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>

namespace casepack::internal {

// One helper thread that runs jobs in submission order, so cryptography overlaps the caller's I/O. A
// persistent thread (not one per batch) because on a busy machine every thread start and join waits for
// the scheduler. If the thread cannot start, jobs run inline: slower, never wrong.
class Worker {
 public:
  static constexpr std::uint64_t kInline = ~std::uint64_t{0};  // the ticket of a job already done

  Worker() = default;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker() { Stop(); }

  std::uint64_t Submit(std::function<void()> job) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!started_ && !failed_) {
        try {
          thread_ = std::thread([this] { Loop(); });
          started_ = true;
        } catch (const std::system_error&) {
          failed_ = true;
        }
      }
      if (started_) {
        jobs_.push_back(std::move(job));
        cv_job_.notify_one();
        return submitted_++;
      }
    }
    job();
    return kInline;
  }

  void Wait(std::uint64_t ticket) {
    if (ticket == kInline) return;
    std::unique_lock<std::mutex> lock(mu_);
    cv_done_.wait(lock, [&] { return completed_ > ticket; });
  }

  bool Done(std::uint64_t ticket) {
    if (ticket == kInline) return true;
    std::lock_guard<std::mutex> lock(mu_);
    return completed_ > ticket;
  }

  // Finishes every submitted job, then joins. Safe to call twice.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!started_) return;
      stopping_ = true;
      cv_job_.notify_one();
    }
    thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    started_ = false;
    failed_ = true;  // no restart after Stop
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_job_.wait(lock, [&] { return !jobs_.empty() || stopping_; });
      if (jobs_.empty()) return;  // stopping, and everything is done
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
      ++completed_;
      cv_done_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_job_, cv_done_;
  std::deque<std::function<void()>> jobs_;
  std::uint64_t submitted_ = 0, completed_ = 0;
  bool started_ = false, failed_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace casepack::internal
