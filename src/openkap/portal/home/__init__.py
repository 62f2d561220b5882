"""What a patient reads and does in the portal: home, due questionnaires, results and their chart,
upcoming sessions, the shared integration plan."""
