"""Login lockouts of the supported SaaS (DOMAIN.md section 5): the policy, login events, rollups and figures."""
