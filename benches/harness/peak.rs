//! Waiting for a child process and reading its peak memory, shared by the whole-process benches.

/// Waits for `child`: its exit status and its peak resident memory in MB (`wait4`'s rusage for
/// that child alone; Linux reports `ru_maxrss` in KB).
#[cfg(unix)]
pub fn wait_peak(child: std::process::Child) -> (i32, f64) {
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own child, not yet waited for; both pointers are valid.
    let r = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert!(r > 0, "wait4");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, usage.ru_maxrss as f64 / 1024.0)
}

/// Elsewhere (the Windows cross-check builds the benches) the peak is not measured: NaN.
#[cfg(not(unix))]
pub fn wait_peak(mut child: std::process::Child) -> (i32, f64) {
    let status = child.wait().expect("wait");
    (status.code().unwrap_or(-1), f64::NAN)
}
