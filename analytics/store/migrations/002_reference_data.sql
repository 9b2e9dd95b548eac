-- 002: the defaults of DOMAIN.md section 2: severities, calendars and SLA targets.
INSERT INTO severities VALUES
 (1, 'Severity 1', 'Service degradation impacting all platforms and service applications'),
 (2, 'Severity 2', 'Degradation impacting several customers, or one customer''s service interrupted in a way likely to affect its processes'),
 (3, 'Severity 3', 'Degradation impacting a single platform or application'),
 (4, 'Severity 4', 'Request about an account service or the processing of a transaction');

INSERT INTO calendars VALUES
 (1, '24/7', 'UTC', 24, NULL, NULL, true),
 (2, 'Business hours (Paris)', 'Europe/Paris', 9, 'FR', NULL, false);
INSERT INTO calendar_hours
 SELECT 2, d, TIME '09:00', TIME '18:00' FROM range(0, 5) t(d);

INSERT INTO sla_targets VALUES
 (1, 'response',   30, 'minutes', 1), (1, 'resolution', 2,  'hours', 1),
 (2, 'response',   1,  'hours',   1), (2, 'resolution', 3,  'hours', 1),
 (3, 'response',   2,  'hours',   1), (3, 'resolution', 12, 'hours', 1),
 (4, 'response',   24, 'hours',   1), (4, 'resolution', 3,  'business_days', 2);
