-- The needs view reads a province's consultations of a year: 170,000 rows at 100,000
-- facilities. Walking the date index and fetching each row from the table cost seconds
-- (rows of one date lie all over the file). This index answers the first pass alone: which
-- consultations raised something (a virtual column, computed, not stored in the table), when,
-- where, for which facility and under which topics; the texts are fetched afterwards for the
-- few entries a screen lists.
ALTER TABLE consultations ADD COLUMN has_text INTEGER
    GENERATED ALWAYS AS (needs <> '' OR difficulties <> '') VIRTUAL;

CREATE INDEX consultations_needs
    ON consultations (cur_date, commune_code, facility_id, topics, amendments, has_text, id);
