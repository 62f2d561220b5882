"""Follow-up: schedules, tasks, relapse and maintenance review, urgent alerts.

Importing the package registers, without the earlier domains importing follow-up: the
maintenance-course check on booking a dose; the suicide-risk alert and the relapse rule on every
stored questionnaire response; the unassessed suicide-risk hard stop before dosing; and the
urgent-alert badge and banner in every page's layout.
"""

from openkap.followup import maintenance as maintenance
from openkap.followup import risk_stop as risk_stop
from openkap.followup import stored_responses as stored_responses
from openkap.followup.recipients import layout_alerts
from openkap.web.templating import add_layout_provider

add_layout_provider(layout_alerts)
