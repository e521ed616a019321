/** Spending categories as a person reads them; a category the app does not know yet is shown as the graph names it. */
const NAMES: Record<string, string> = {
  PURCHASE: 'Purchase',
  TRADE_IN_CREDIT: 'Trade-in credit',
  LOAN_INSTALMENT: 'Loan instalment',
  INSURANCE: 'Insurance',
  MAINTENANCE: 'Maintenance',
  BATTERY_SWAP: 'Battery swap',
  CHARGING: 'Charging',
  BATTERY_SUBSCRIPTION: 'Battery subscription',
  ENERGY: 'Energy',
};

export const categoryName = (category: string) => NAMES[category] ?? category.replace(/_/g, ' ').toLowerCase();
