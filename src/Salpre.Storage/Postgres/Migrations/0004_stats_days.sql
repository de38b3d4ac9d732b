-- Coarser counts for long ranges: by UTC day and status (a local day is a UTC day with a few hours moved across its
-- edges, read from call_stats_hours), and by agent and status over blocks of 32 UTC days. block = floor(day / 32).
CREATE TABLE call_stats_days (
    account_id bigint  NOT NULL,
    day        bigint  NOT NULL,
    status     integer NOT NULL,
    calls      bigint  NOT NULL,
    answered   bigint  NOT NULL,
    talk_sec   bigint  NOT NULL,
    PRIMARY KEY (account_id, day, status)
);

CREATE TABLE call_stats_agent_blocks (
    account_id bigint  NOT NULL,
    block      bigint  NOT NULL,
    agent_id   bigint  NOT NULL,
    status     integer NOT NULL,
    calls      bigint  NOT NULL,
    answered   bigint  NOT NULL,
    talk_sec   bigint  NOT NULL,
    PRIMARY KEY (account_id, block, agent_id, status)
);

INSERT INTO call_stats_days (account_id, day, status, calls, answered, talk_sec)
SELECT account_id, day, status, sum(calls), sum(answered), sum(talk_sec) FROM call_stats_agent_days GROUP BY 1, 2, 3;

-- The shift by 22474 blocks (719,168 days, a little over year 1 to 1970) makes the division a floor for any year.
INSERT INTO call_stats_agent_blocks (account_id, block, agent_id, status, calls, answered, talk_sec)
SELECT account_id, (day + 719168) / 32 - 22474, agent_id, status, sum(calls), sum(answered), sum(talk_sec)
FROM call_stats_agent_days GROUP BY 1, 2, 3, 4;
