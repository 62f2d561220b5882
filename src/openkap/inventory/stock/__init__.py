"""Stock and its movements: the catalogue of products, locations and lots, receipts,
administrations, waste, transfers, returns, destruction, loss, corrections, a drawn dose's
remainder, stock views, their API and pages."""
