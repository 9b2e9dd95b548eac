"""E-mail notices (issue 17): the outbox, its delivery over SMTP, and customer notices of incidents."""
