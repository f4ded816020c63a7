//! `ctv`: parse the command line, pick the terminal app or a subcommand, nothing else. The
//! only place that knows both front ends (`cli` and `ui` do not import each other).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = ctv::cli::help::lang_before_parse(&args);
    let cli = match ctv::cli::help::parse(lang, args) {
        Ok(c) => c,
        Err(e) => {
            // Help and version go to stdout (exit 0), usage errors to stderr (exit 2), in the
            // user's language.
            let text = ctv::cli::help::error_text(lang, &e);
            return if e.use_stderr() {
                eprintln!("{}", text.trim_end());
                ExitCode::from(2)
            } else {
                println!("{}", text.trim_end());
                ExitCode::SUCCESS
            };
        }
    };
    if cli.command.is_some() || !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        quiet_on_closed_pipe();
    }
    ctv::cli::run(cli, &start_tui)
}

/// `ctv` with no subcommand on a terminal: the terminal app on the database the command line
/// chose, with the real clock.
fn start_tui(
    ctx: &ctv::cli::Ctx,
    lang: Option<ctv::words::Lang>,
) -> Result<(), ctv::cli::CliError> {
    let clock = std::sync::Arc::new(ctv::clock::SystemClock);
    ctv::ui::launch(&ctx.db_path, lang, clock).map_err(|e| match e {
        ctv::ui::LaunchError::Store(s) => ctv::cli::CliError::Store(s),
        ctv::ui::LaunchError::Terminal(what, e) => ctv::cli::CliError::Io(what, e),
        ctv::ui::LaunchError::Declined => ctv::cli::CliError::Reported,
    })
}

/// `ctv facilities list | head`: when the reader goes away, end quietly as other command-line
/// tools do (the default action of SIGPIPE), instead of Rust's "failed printing to stdout"
/// panic. Not for the terminal app, which restores the terminal on its own way out.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any other thread exists; it only restores the
    // default action of one signal.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
