-- CTV schema, version 12: one definition of a đề án's money, read by the đề án page, F5's
-- totals, the province register and the payment check alike. The approved support and the
-- planned end are the latest adjustment's when there is one (by decision date, then entry).

CREATE VIEW project_money AS
SELECT
    p.id AS proposal_id,
    COALESCE(
        (SELECT a.new_support FROM project_adjustments a
         WHERE a.proposal_id = p.id AND a.new_support IS NOT NULL
         ORDER BY a.date DESC, a.created_at DESC LIMIT 1),
        p.approved_support) AS approved,
    COALESCE(
        (SELECT a.new_end FROM project_adjustments a
         WHERE a.proposal_id = p.id AND a.new_end IS NOT NULL
         ORDER BY a.date DESC, a.created_at DESC LIMIT 1),
        p.planned_end) AS planned_end,
    (SELECT COALESCE(SUM(x.amount), 0) FROM project_payments x
     WHERE x.proposal_id = p.id) AS paid
FROM proposals p;
