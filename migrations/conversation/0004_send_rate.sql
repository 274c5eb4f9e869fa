-- The conversation's own send rate limit (GCRA theoretical arrival time, ms).
ALTER TABLE conversation ADD COLUMN send_tat REAL;
