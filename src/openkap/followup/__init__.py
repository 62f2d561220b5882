"""Follow-up: schedules, tasks, relapse and maintenance review, urgent alerts.

Importing the package registers the maintenance-course check on booking a dose.
"""

from openkap.followup import maintenance as maintenance
