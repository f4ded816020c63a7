//! Arbitrary bytes into the facility import, as `ctv facilities import` reads a file: the first
//! byte picks CSV or XLSX, the rest is the file. The table is then mapped and every row
//! validated and checked for duplicates against a province officer's (empty) database.
//! Ok or Err, never a panic.
#![no_main]

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;

use ctv::clock::SystemClock;
use ctv::domain::collaborator::ProfileInput;
use ctv::store::Store;

thread_local! {
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

fn with_store(f: impl FnOnce(&Store)) {
    STORE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut store = Store::open_in_memory(Arc::new(SystemClock)).expect("in-memory store");
            store
                .init_profile(
                    &ProfileInput {
                        name: "Fuzz".into(),
                        role: "province".into(),
                        units: "01".into(),
                        account: None,
                    },
                    false,
                )
                .expect("profile");
            *slot = Some(store);
        }
        if let Some(store) = slot.as_ref() {
            f(store);
        }
    });
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let table = if pick & 1 == 0 {
        ctv::import::read_csv(file)
    } else {
        ctv::import::read_xlsx_from(std::io::Cursor::new(file), Path::new("fuzz.xlsx"))
    };
    if let Ok(table) = table {
        with_store(|store| {
            let _ = ctv::import::prepare(store, &table);
        });
    }
});
