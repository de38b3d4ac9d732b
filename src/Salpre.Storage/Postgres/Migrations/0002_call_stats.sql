-- Whether a call was answered: it reached in-progress (an imported call without reports: it talked for a second or
-- more). Statistics count answered calls and their talk time.
ALTER TABLE calls ADD COLUMN answered integer NOT NULL DEFAULT 0 CHECK (answered IN (0, 1));
UPDATE calls SET answered = 1
WHERE status = 2 OR duration_sec > 0
   OR EXISTS (SELECT 1 FROM call_events e WHERE e.account_id = calls.account_id AND e.call_num = calls.call_num AND e.status = 2);

-- Every account's calls counted by UTC hour and current status, and by UTC day, agent and status, in the same
-- transaction as each call write: statistics read a few rows a bucket instead of every call. hour and day are
-- floor(started_at / 3600) and floor(started_at / 86400); talk_sec sums duration_sec.
CREATE TABLE call_stats_hours (
    account_id bigint  NOT NULL,
    hour       bigint  NOT NULL,
    status     integer NOT NULL,
    calls      bigint  NOT NULL,
    answered   bigint  NOT NULL,
    talk_sec   bigint  NOT NULL,
    PRIMARY KEY (account_id, hour, status)
);

CREATE TABLE call_stats_agent_days (
    account_id bigint  NOT NULL,
    day        bigint  NOT NULL,
    agent_id   bigint  NOT NULL,
    status     integer NOT NULL,
    calls      bigint  NOT NULL,
    answered   bigint  NOT NULL,
    talk_sec   bigint  NOT NULL,
    PRIMARY KEY (account_id, day, agent_id, status)
);

-- The shift by 62135596800 s (year 1 to 1970, a whole number of days) makes the division a floor for any year.
INSERT INTO call_stats_hours (account_id, hour, status, calls, answered, talk_sec)
SELECT account_id, (started_at + 62135596800) / 3600 - 17259888, status, count(*), sum(answered), sum(coalesce(duration_sec, 0))
FROM calls GROUP BY 1, 2, 3;

INSERT INTO call_stats_agent_days (account_id, day, agent_id, status, calls, answered, talk_sec)
SELECT account_id, (started_at + 62135596800) / 86400 - 719162, agent_id, status, count(*), sum(answered), sum(coalesce(duration_sec, 0))
FROM calls GROUP BY 1, 2, 3, 4;
