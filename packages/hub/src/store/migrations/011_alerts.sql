-- Alert notifications (issue 5): what each matching trigger did with a notification, and who
-- sent it, so a notification that started nothing says why.
ALTER TABLE alert_notifications ADD COLUMN outcomes jsonb NOT NULL DEFAULT '[]';
ALTER TABLE alert_notifications ADD COLUMN sender text;

-- `GET /alerts?matched=false`: the notifications that started no run.
CREATE INDEX alert_notifications_unmatched ON alert_notifications (project, id DESC) WHERE NOT matched;
