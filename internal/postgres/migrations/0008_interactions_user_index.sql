-- Most interactions (imported touchpoints, web and ad events) have no user;
-- indexing only those that do keeps the index small and spares a bulk
-- import the cost of sorting a key that is NULL for nearly every row.
-- Every query by user (user_id = ?, user_id IS NOT NULL) can still use it.
-- Keep the other dialect's 0008_interactions_user_index.sql in step.
DROP INDEX interactions_user_at;
CREATE INDEX interactions_user_at ON interactions(user_id, at) WHERE user_id IS NOT NULL;
