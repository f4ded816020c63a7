//! A facility's products and their titles (OCOP, typical product): add, add a title, list,
//! and the title marker of the facility list. Scope is the facility's commune.

use rusqlite::{Connection, OptionalExtension, Transaction};

use rusqlite::types::Value;

use super::villages::{replace_parts, stamps, upsert_row, write_logged};
use super::{found, new_id, Result, Store, StoreError};
use crate::domain::issue::Issues;
use crate::domain::product::{validate_name, validate_notes, validate_title, TitleInput};
use crate::record::{ProductRecord, TitleRecord};
use crate::text::fold;

/// The change-log entity of a product.
pub const PRODUCT: &str = "product";

const PRODUCT_SQL: &str = "SELECT id, facility_id, name, notes, archived, created_at, created_by,
    updated_at, updated_by, version FROM facility_products";

fn product_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(ProductRecord, i64)> {
    Ok((
        ProductRecord {
            id: r.get(0)?,
            facility_id: r.get(1)?,
            name: r.get(2)?,
            notes: r.get(3)?,
            titles: Vec::new(),
            archived: r.get::<_, i64>(4)? != 0,
            created_at: r.get(5)?,
            created_by: r.get(6)?,
            updated_at: r.get(7)?,
            updated_by: r.get(8)?,
        },
        r.get(9)?,
    ))
}

/// A title read from columns k.. (kind, year, level, certificate, issued, expiry).
fn title_at(r: &rusqlite::Row<'_>, k: usize) -> rusqlite::Result<TitleRecord> {
    Ok(TitleRecord {
        kind: r.get(k)?,
        year: r.get(k + 1)?,
        level: r.get(k + 2)?,
        certificate: r.get(k + 3)?,
        issued_date: r.get(k + 4)?,
        expiry_date: r.get(k + 5)?,
    })
}

fn titles_of(conn: &Connection, id: &str) -> Result<Vec<TitleRecord>> {
    let mut s = conn.prepare_cached(
        "SELECT kind, year, level, certificate, issued_date, expiry_date FROM product_titles
         WHERE product_id = ?1 ORDER BY position",
    )?;
    let out = s
        .query_map([id], |r| title_at(r, 0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

fn with_titles(
    conn: &Connection,
    rows: Vec<(ProductRecord, i64)>,
) -> Result<Vec<(ProductRecord, i64)>> {
    let mut out = Vec::with_capacity(rows.len());
    for (mut p, v) in rows {
        p.titles = titles_of(conn, &p.id)?;
        out.push((p, v));
    }
    Ok(out)
}

/// A product with its titles, and its row version.
pub(crate) fn load_product(conn: &Connection, id: &str) -> Result<Option<(ProductRecord, i64)>> {
    let row = conn
        .prepare_cached(&format!("{PRODUCT_SQL} WHERE id = ?1"))?
        .query_row([id], product_row)
        .optional()?;
    Ok(with_titles(conn, row.into_iter().collect())?.pop())
}

/// Stores `rec` as row `version` (inserted, or replacing the row and its titles).
pub(crate) fn write_product(tx: &Transaction<'_>, rec: &ProductRecord, version: i64) -> Result<()> {
    let cols = ["id", "facility_id", "name", "name_fold", "notes"];
    let values = vec![
        Value::from(rec.id.clone()),
        Value::from(rec.facility_id.clone()),
        Value::from(rec.name.clone()),
        Value::from(fold(&rec.name)),
        Value::from(rec.notes.clone()),
    ];
    let stamps = stamps!(rec, version);
    upsert_row(tx, "facility_products", &cols, values, &stamps)?;
    let rows = rec
        .titles
        .iter()
        .map(|t| {
            vec![
                Value::from(t.kind.clone()),
                Value::from(i64::from(t.year)),
                Value::from(t.level.clone()),
                Value::from(t.certificate.clone()),
                Value::from(t.issued_date.clone()),
                Value::from(t.expiry_date.clone()),
            ]
        })
        .collect();
    let cols: &[&str] = &[
        "kind",
        "year",
        "level",
        "certificate",
        "issued_date",
        "expiry_date",
    ];
    replace_parts(tx, ("product_titles", "product_id", cols), &rec.id, rows)
}

impl Store {
    /// The commune of a facility the writer may change (its products follow it).
    fn product_facility(&self, facility_id: &str) -> Result<String> {
        let f = found(facility_id, self.facility(facility_id)?)?;
        self.check_scope(&f.data.commune_code)?;
        Ok(f.id)
    }

    /// Adds a product to a facility, with its first titles (already checked).
    pub fn add_product(
        &mut self,
        facility_id: &str,
        name: &str,
        notes: &str,
        titles: &[TitleInput],
    ) -> Result<ProductRecord> {
        let mut issues = Issues::default();
        let name = validate_name(name, &mut issues);
        let notes = validate_notes(notes, &mut issues);
        let today = self.today();
        let mut checked = Vec::new();
        for t in titles {
            match validate_title(t, today) {
                Ok(t) => checked.push(t),
                Err(i) => issues.0.extend(i.0),
            }
        }
        if issues.has_errors() {
            return Err(StoreError::Invalid(issues));
        }
        let facility_id = self.product_facility(facility_id)?;
        let actor = self.actor()?;
        let now = self.now_string();
        let rec = ProductRecord {
            id: new_id(),
            facility_id,
            name,
            notes,
            titles: checked,
            archived: false,
            created_at: now.clone(),
            created_by: actor.id.clone(),
            updated_at: now.clone(),
            updated_by: actor.id.clone(),
        };
        self.write(|tx| {
            write_logged(
                tx,
                (&now, &actor),
                (PRODUCT, &rec.id, "create"),
                None,
                &rec,
                1,
                write_product,
            )
        })?;
        Ok(rec)
    }

    /// Adds a title to product `id` (at version `expected_version`).
    pub fn add_title(
        &mut self,
        id: &str,
        expected_version: i64,
        title: &TitleInput,
    ) -> Result<ProductRecord> {
        let t = validate_title(title, self.today()).map_err(StoreError::Invalid)?;
        let (old, _) = found(id, self.product(id)?)?;
        self.product_facility(&old.facility_id)?;
        let actor = self.actor()?;
        let now = self.now_string();
        let mut rec = old.clone();
        rec.titles.push(t);
        rec.updated_at = now.clone();
        rec.updated_by = actor.id.clone();
        self.write(|tx| {
            let (_, stored) = found(id, load_product(tx, id)?)?;
            super::same_version(id, expected_version, stored)?;
            write_logged(
                tx,
                (&now, &actor),
                (PRODUCT, id, "update"),
                Some(&old),
                &rec,
                stored + 1,
                write_product,
            )
        })?;
        Ok(rec)
    }

    /// A product (None: unknown, or its facility outside a shared reader's scope).
    pub fn product(&self, id: &str) -> Result<Option<(ProductRecord, i64)>> {
        let Some((p, v)) = load_product(self.conn(), id)? else {
            return Ok(None);
        };
        let seen = self
            .facility(&p.facility_id)?
            .is_some_and(|f| self.may_read(&f.data.commune_code));
        Ok(seen.then_some((p, v)))
    }

    /// A product by its full id or short form.
    pub fn product_by_ref(&self, reference: &str) -> Result<Option<(ProductRecord, i64)>> {
        self.by_ref("facility_products", reference, |id| self.product(id))
    }

    /// The live products of a facility, in name order.
    pub fn products_of(&self, facility_id: &str) -> Result<Vec<(ProductRecord, i64)>> {
        let rows = self
            .conn()
            .prepare_cached(&format!(
                "{PRODUCT_SQL} WHERE facility_id = ?1 AND archived = 0 ORDER BY name_fold, id"
            ))?
            .query_map([facility_id], product_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        with_titles(self.conn(), rows)
    }

    /// The titles of the live products of `facility_ids`, by facility (for the list's marker).
    pub fn titles_of_facilities(
        &self,
        facility_ids: &[&str],
    ) -> Result<std::collections::HashMap<String, Vec<TitleRecord>>> {
        let mut out: std::collections::HashMap<String, Vec<TitleRecord>> = Default::default();
        let mut s = self.conn().prepare_cached(
            "SELECT p.facility_id, t.kind, t.year, t.level, t.certificate, t.issued_date,
                t.expiry_date
             FROM facility_products p JOIN product_titles t ON t.product_id = p.id
             WHERE p.facility_id = ?1 AND p.archived = 0 ORDER BY p.id, t.position",
        )?;
        for id in facility_ids {
            let rows = s.query_map([id], |r| Ok((r.get::<_, String>(0)?, title_at(r, 1)?)))?;
            for row in rows {
                let (fid, t) = row?;
                out.entry(fid).or_default().push(t);
            }
        }
        Ok(out)
    }
}

impl Store {
    /// The products of a bundle: of facilities in the selection's scope.
    pub fn product_records(
        &self,
        sel: &super::bundles::Selection<'_>,
    ) -> Result<Vec<ProductRecord>> {
        let rows = self
            .conn()
            .prepare_cached(&format!(
                "{PRODUCT_SQL} p WHERE (SELECT commune_code FROM facilities f
                    WHERE f.id = p.facility_id) IN (SELECT value FROM json_each(?1)) ORDER BY id"
            ))?
            .query_map(
                [serde_json::to_string(&sel.scope).unwrap_or_default()],
                product_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let rows = rows
            .into_iter()
            .filter(|(r, _)| sel.only.is_none_or(|o| o.contains(&r.id)))
            .collect();
        Ok(with_titles(self.conn(), rows)?
            .into_iter()
            .map(|(r, _)| r)
            .collect())
    }
}

impl Store {
    /// The live products of the facilities the reader may see, by facility then name.
    pub fn products_in_scope(&self) -> Result<Vec<(ProductRecord, i64)>> {
        let rows = self
            .conn()
            .prepare_cached(&format!(
                "{PRODUCT_SQL} p WHERE archived = 0 ORDER BY facility_id, name_fold, id"
            ))?
            .query_map([], product_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut seen: std::collections::HashMap<String, bool> = Default::default();
        let mut kept = Vec::with_capacity(rows.len());
        for (p, v) in rows {
            let ok = match seen.get(&p.facility_id) {
                Some(ok) => *ok,
                None => {
                    let ok = self
                        .facility(&p.facility_id)?
                        .is_some_and(|f| self.may_read(&f.data.commune_code));
                    seen.insert(p.facility_id.clone(), ok);
                    ok
                }
            };
            if ok {
                kept.push((p, v));
            }
        }
        with_titles(self.conn(), kept)
    }
}
