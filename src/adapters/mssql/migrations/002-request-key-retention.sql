-- Request keys are remembered for a retention window, then swept by time.
CREATE INDEX create_request_by_time ON dbo.create_request (create_time);
