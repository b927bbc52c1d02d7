-- Issue 13: a directory row keeps no birth date beside the keyed hash of the full CPR number
-- (with the key, 10,000 tries would find the number) and not the uploaded file's name (it may
-- name a citizen).
UPDATE directory_entries SET cpr_masked = 'xxxxxx-xxxx', source = 'CSV-import';
