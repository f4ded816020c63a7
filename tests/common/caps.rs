//! Support-cap fixtures: the published example (issue 5), once shipped as everyone's caps,
//! now only a test table of Hà Nội (01).

use std::path::{Path, PathBuf};

use ctv::domain::caps::{check_rows, rows_from_table, Owner, SupportCaps};
use ctv::store::Store;

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

/// Loads the example table into `s` as Hà Nội's centre would (`ctv caps import`), then goes
/// back to the profile that was working: a commune's store then holds the table the way a
/// receipt would have brought it.
pub fn load_example_caps(s: &mut Store) {
    let p = s.profile().unwrap().clone();
    super::proposals::as_role(s, "Trung tâm Khuyến công Hà Nội", "province", "01");
    s.import_support_caps(example_caps().all(), "vi_du.csv")
        .unwrap();
    super::proposals::as_role(s, &p.name, p.role.as_str(), &p.units.join(","));
}
