"""Post-incident reviews and RCA reports: the review, its publication, the customer document and the follow-up."""
