export default { name: "generated" };
