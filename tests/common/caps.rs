//! Support-cap fixtures: the published example (issue 5), once shipped as everyone's caps,
//! now only a test table of Hà Nội (01).

use std::path::{Path, PathBuf};

use ctv::domain::caps::{check_rows, rows_from_table, Owner, SupportCaps};

/// The example table's file.
pub fn example_caps_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/support_caps_example.csv")
}

/// The example table, read and checked the way `ctv caps import` does.
pub fn example_caps() -> SupportCaps {
    let t = ctv::import::read_table(&example_caps_file()).unwrap();
    let rows = rows_from_table(&t.headers, &t.rows, "01").unwrap();
    SupportCaps::new(check_rows(&rows, Owner::Province("01")).unwrap())
}
