//! The command line speaks Vietnamese by default and English on request (issue 16): help,
//! descriptions and clap's own errors; wrong values are refused with the accepted ones.

mod common;

use common::{commune_db, ctv};
use ctv::cli::help::missing_words;
use ctv::words::Lang;

#[test]
fn every_command_and_option_has_words_in_both_languages() {
    assert_eq!(missing_words(Lang::Vi), Vec::<String>::new());
    assert_eq!(missing_words(Lang::En), Vec::<String>::new());
}

#[test]
fn help_is_vietnamese_by_default_with_no_english_noise() {
    let (_dir, db) = commune_db();
    for args in [
        &["--help"][..],
        &["proposal", "--help"],
        &["proposal", "add", "--help"],
        &["agenda", "--help"],
        &["consult", "add", "--help"],
    ] {
        let (code, out, err) = ctv(&db, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains("Cách dùng:"), "{args:?}:\n{out}");
        assert!(out.contains("Tùy chọn"), "{args:?}:\n{out}");
        for english in [
            "Usage:",
            "Options:",
            "Commands:",
            "Print help",
            "[default",
            "[possible values",
            "[env:",
        ] {
            assert!(!out.contains(english), "{args:?} says {english:?}:\n{out}");
        }
    }
    let (_, out, _) = ctv(&db, &["agenda", "--help"]);
    assert!(out.contains("[mặc định: table]"), "{out}");
    let (_, out, _) = ctv(&db, &["consult", "add", "--help"]);
    assert!(out.contains("Ghi một lần làm việc với cơ sở"), "{out}");
}

#[test]
fn english_on_request_by_option_and_variable() {
    let (_dir, db) = commune_db();
    let (code, out, _) = ctv(&db, &["--lang", "en", "proposal", "--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Usage:") && out.contains("Support proposals"),
        "{out}"
    );
    let (code, out, _) = ctv(&db, &["agenda", "--help", "--lang=en"]);
    assert_eq!(code, 0);
    assert!(out.contains("Open follow-ups of your area"), "{out}");
    let out = std::process::Command::new(common::ctv_bin())
        .args(["plan", "--help"])
        .env("CTV_DB", &db)
        .env("CTV_LANG", "en")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("The draft annual plan"), "{text}");
}

#[test]
fn wrong_values_are_refused_in_vietnamese_with_what_is_accepted() {
    let (_dir, db) = commune_db();
    let (code, _, err) = ctv(&db, &["--lang", "fr", "agenda"]);
    assert_eq!(code, 2);
    assert!(err.contains("«fr»") && err.contains("vi, en"), "{err}");

    let (code, _, err) = ctv(&db, &["plan", "--year", "27"]);
    assert_eq!(code, 2);
    assert!(err.contains("«27»") && err.contains("2012"), "{err}");

    let (code, _, err) = ctv(&db, &["proposl"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("Không có lệnh «proposl»") && err.contains("proposal"),
        "{err}"
    );

    let (code, _, err) = ctv(&db, &["facilities", "list", "--frmat", "csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("--frmat") && err.contains("--format"), "{err}");

    let (code, out, err) = ctv(
        &db,
        &[
            "facilities",
            "add",
            "--name",
            "Cơ sở mây tre Hòa",
            "--commune",
            "00004",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (_, list, _) = ctv(&db, &["facilities", "list", "--format", "json"]);
    let id = list
        .split("\"id\": \"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let (code, _, err) = ctv(&db, &["consult", "add", "--facility", &id, "--mode", "xx"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("TRUC_TIEP") && err.contains("TAI_CO_QUAN"),
        "{err}"
    );
}
