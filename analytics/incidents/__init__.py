"""Major incidents (DOMAIN.md section 4): declaration, lifecycle, customer notifications, investigation and figures."""
